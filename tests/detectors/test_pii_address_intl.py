# ruff: noqa: RUF001  (address tables in other scripts are what these tests are about)
"""LOCATION in other scripts and national formats (``IntlAddressDetector``).

Positives are written from each country's address conventions (street marker, house number,
administrative units, postcode); negatives are prose in the same scripts with numbers in it
(dates, prices, counts, versions, order numbers) and places named alone.
"""

from __future__ import annotations

import re

import pytest

from tracemask import Masker
from tracemask.detectors._fold import fold
from tracemask.detectors.catalog import PII_DETECTORS
from tracemask.detectors.pii.address import LocationDetector
from tracemask.detectors.pii.address_intl import IntlAddressDetector

# (text, the address in it: every one of its letters and digits must be masked)
POSITIVES = [
    # Chinese: province, city, district, road, number; Taiwan: postcode, city, road, section.
    ("收件地址：广东省深圳市南山区科技园路18号 518057", "广东省深圳市南山区科技园路18号 518057"),
    ("我住在 浙江省杭州市西湖区文三路 90号", "浙江省杭州市西湖区文三路"),
    ("请寄到上海市徐汇区漕溪北路88号3楼", "上海市徐汇区漕溪北路88号3楼"),
    ("新地址是 106 臺北市大安區和平東路二段134號5樓", "106 臺北市大安區和平東路二段134號5樓"),
    ("店在中山路25巷7號之1", "中山路25巷7號之1"),
    ("北京市朝阳区建国门外大街甲6号", "北京市朝阳区"),
    # Japanese: postcode, prefecture, city or ward, chome-ban-go, building.
    (
        "住所は〒150-0041 東京都渋谷区神南1丁目19番11号です",
        "〒150-0041 東京都渋谷区神南1丁目19番11号",
    ),
    ("送付先: 大阪府大阪市北区梅田3-1-1", "大阪府大阪市北区梅田3-1-1"),
    ("神奈川県横浜市中区山下町10番地 ホテルニュー1203", "神奈川県横浜市中区山下町10番地"),
    # Korean: province, city, district, road name and building number, "(…동)".
    ("주소는 서울특별시 강남구 테헤란로 152 입니다", "서울특별시 강남구 테헤란로 152"),
    ("경기도 성남시 분당구 판교역로 235 (삼평동)", "경기도 성남시 분당구 판교역로 235 (삼평동)"),
    ("배송지: 부산해운대구좌동순환로 12번길 7", "순환로 12번길 7"),
    ("서울시 마포구 연남동 223-14", "서울시 마포구 연남동 223-14"),
    # Russian, Ukrainian: settlement, street marker and name, house, building, flat, postcode.
    (
        "Адрес: г. Казань, ул. Баумана, д. 12 кв. 4, 420111",
        "г. Казань, ул. Баумана, д. 12 кв. 4, 420111",
    ),
    ("Доставка: пр. Ленина, д. 5 корп. 2", "пр. Ленина, д. 5 корп. 2"),
    ("живу на улица Садовая 14/2", "улица Садовая 14/2"),
    ("м. Київ, вул. Хрещатик, буд. 22, кв. 7", "м. Київ, вул. Хрещатик, буд. 22, кв. 7"),
    ("Невский пр. 28", "Невский пр. 28"),
    # Greek: street word, name and number; postcode and town.
    ("Διεύθυνση: Οδός Ερμού 15, 105 63 Αθήνα", "Οδός Ερμού 15, 105 63 Αθήνα"),
    ("Λεωφ. Κηφισίας 44\nΤΚ 151 25 Μαρούσι", "Λεωφ. Κηφισίας 44\nΤΚ 151 25 Μαρούσι"),
    ("Τσιμισκή 21, 546 24 Θεσσαλονίκη", "Τσιμισκή 21, 546 24 Θεσσαλονίκη"),
    # Hebrew: street word, name, number, town, postcode.
    ("הכתובת: רחוב הנביאים 12, ירושלים", "רחוב הנביאים 12, ירושלים"),
    ("רח' הגפן 7, חיפה, 3309512", "רח' הגפן 7, חיפה, 3309512"),
    ("שדרות רוטשילד 45", "שדרות רוטשילד 45"),
    # Arabic and Persian: street word, name and number; number, street word and name.
    ("العنوان: شارع الملك فهد 214، الرياض", "شارع الملك فهد 214"),
    ("يسكن في 15 زنقة ابن سينا - الرباط", "15 زنقة ابن سينا - الرباط"),
    ("18 نهج الحبيب ثامر", "18 نهج الحبيب ثامر"),
    ("آدرس: خیابان ولیعصر کوچه نادری پلاک 7", "خیابان ولیعصر کوچه نادری پلاک 7"),
    ("12 شهید بهشتی بلوار واحد 3", "12 شهید بهشتی بلوار واحد 3"),
    # Thai: house number, moo, road, sub-district, district, province, postcode.
    (
        "ที่อยู่ 45/2 หมู่ 5 ถ.สุขุมวิท ต.บางพระ อ.ศรีราชา จ.ชลบุรี 20110",
        "45/2 หมู่ 5 ถ.สุขุมวิท ต.บางพระ อ.ศรีราชา จ.ชลบุรี 20110",
    ),
    ("ส่งที่ 88 ถนนพระราม 4 แขวงปทุมวัน", "88 ถนนพระราม"),
    ("ต.หนองหาร อ.สันทราย จ.เชียงใหม่", "ต.หนองหาร อ.สันทราย จ.เชียงใหม่"),
    # Georgian, Armenian.
    ("მისამართი: რუსთაველის გამზ. 12", "რუსთაველის გამზ. 12"),
    ("ჭავჭავაძის ქ. 37, თბილისი", "ჭავჭავაძის ქ. 37, თბილისი"),
    ("ք. Երևան, Աբովյան փ. 8, բն. 14", "ք. Երևան, Աբովյան փ. 8, բն. 14"),
    # Indic scripts: house word and number; street word and number; number, name, town, PIN.
    ("पता: मकान नं. 42, शिवाजी नगर, पुणे", "मकान नं. 42, शिवाजी नगर, पुणे"),
    ("12 गांधी मार्ग", "12 गांधी मार्ग"),
    ("বাড়ি নং ১৪, ধানমন্ডি", "বাড়ি নং ১৪, ধানমন্ডি"),
    ("14/3, காந்தி தெரு", "14/3, காந்தி தெரு"),
    ("27 முருகன் கோவில்,\nமதுரை 625001", "27 முருகன் கோவில்,\nமதுரை 625001"),
    # A name in another script before an English street type.
    ("Ship to: 52 山田 Avenue Suite 3", "52 山田 Avenue Suite 3"),
    ("44 Гришин Street", "44 Гришин Street"),
    # Latin-script national formats.
    (
        "Levelcím: Petőfi Sándor utca 12.\nH-1052 Budapest",
        "Petőfi Sándor utca 12.\nH-1052 Budapest",
    ),
    ("Bydlím K Lesu 15/3, Praha", "K Lesu 15/3"),
    ("Na Příkopě 22", "Na Příkopě 22"),
    (
        "Contrada Santa Lucia, 12 Piano 2\n90141, Palermo (PA)",
        "Contrada Santa Lucia, 12 Piano 2\n90141, Palermo (PA)",
    ),
    ("Vivo en Travesía de la Fuente 8 Piso 3", "Travesía de la Fuente 8 Piso 3"),
    ("Cañada del Rey 31", "Cañada del Rey 31"),
    ("Pedro Montt 1550 Depto. 31", "Pedro Montt 1550 Depto. 31"),
    ("Livrer au chemin des Vignes 14\n1260 Nyon", "chemin des Vignes 14\n1260 Nyon"),
    ("Adresse : boulevard Carl-Vogt", "boulevard Carl-Vogt"),
    ("1250 rang Saint-Joseph", "1250 rang Saint-Joseph"),
    ("Block 7 Lot 12 Maligaya Homes Phase 2", "Block 7 Lot 12 Maligaya Homes Phase 2"),
    ("B4 L21 Sampaguita St", "B4 L21 Sampaguita"),
    ("Entregar na Travessa Boa Vista, 120", "Travessa Boa Vista, 120"),
    ("Carrera 7 # 71-21 Sur", "Carrera 7 # 71-21 Sur"),
    ("Vial de los Olmos 15\nZaragoza, 50012", "Vial de los Olmos 15\nZaragoza, 50012"),
    ("Số 12 Ngõ 45 Phố Huế phường Bách Khoa quận Hai Bà Trưng", "Số 12 Ngõ 45 Phố Huế"),
    ("Nəsimi ray., Füzuli küç., b. 14, m. 22", "Nəsimi ray., Füzuli küç., b. 14, m. 22"),
    ("Dlouhá 12\n110 00 Praha", "Dlouhá 12\n110 00 Praha"),
    ("Марксова 14б\n1000 Скопје", "Марксова 14б\n1000 Скопје"),
    ("הרצל 17, רחובות, 7640117", "הרצל 17, רחובות, 7640117"),
    ("12 Ливадия Court", "12 Ливадия Court"),
    ("House No. 17, Road 5", "House No. 17"),
]

# Prose with numbers, dates, prices, versions, ids; places named alone; nothing to mask.
NEGATIVES = [
    "我在北京工作",
    "订单号 20240806123 已发货，共 3 件，金额 ¥1299.00",
    "会议定于2024年8月6日下午3点召开",
    "版本 v2.3.1 修复了 12 个问题，token 数 4096",
    "这条路我走了3年",
    "上海市场规模在2023年增长了15%",
    "他坐3号线地铁去上班，8月3号回来",
    "2024年8月6日に東京で会議があります。参加者は12名です。",
    "注文番号 123-4567 は発送済みです",
    "価格は3,980円、在庫は5個です",
    "大阪に住んでいます",
    "버스로 5분 걸려요. 주문번호 20240806",
    "그 당시 서울로 3명이 갔다",
    "서울에서 일해요. 가격은 12000원입니다",
    "Заказ № 12345 от 06.08.2024 на сумму 1500 руб.",
    "Я живу в Москве уже 5 лет",
    "Версия 3.2.1, токенов 4096, задержка 120 мс",
    "Στις 6 Αυγούστου 2024 πληρώσαμε 10000 Ευρώ για 3 εισιτήρια",
    "Κεφάλαιο 3, σελίδα 45",
    'ההזמנה 123456 נשלחה ב-6.8.2024, מחיר 250 ש"ח',
    "עברתי דרך שלב 2 בהצלחה",
    "אני גר בתל אביב כבר 5 שנים",
    "رقم الطلب 123456 بتاريخ 2024/08/06 بمبلغ 250 ريال",
    "عن طريق الخطأ 3 مرات",
    "في ميدان العمل 5 سنوات",
    "سفارش شماره 98765 به مبلغ 450000 تومان ثبت شد",
    "ราคา 500 บาท วันที่ 5 ต.ค. 2567 จำนวน 3 ชิ้น",
    "อ.สมชาย สอนวิชา 101",
    "შეკვეთა 12345, ფასი 50 ლარი",
    "Պատվեր 12345, գինը 5000 դրամ",
    "ऑर्डर संख्या 123456 की कीमत 250 रुपये है",
    "मैंने 5 किताबें खरीदीं 250000 रुपये में",
    "আমার অর্ডার নম্বর ১২৩৪৫৬ এর দাম ৫০০ টাকা",
    "Version 2.1 — “quoted” café menu, 12 items",
    "U Turn 5 times",
    "The k8s pod 3 restarted; via proxy 8080",
    "Plaza Hotel booking for 2 nights",
    "route Requests 5",
    "Rua de cima foi fechada por 3 dias",
    "Table 3\nResults 2024 Summary",
    "See chapter 12 # 3-4 for details",
    "Số lượng 5 sản phẩm, giá 200000 đồng",
    "上海社區服務中心有3人",
    "نسخه 4.8.2024 مطبوعات جاده خاکی",
    "درب ورودی 3 باز است",
    "เวอร์ชัน 5.5.2024ซอยสั้นมาก",
]


def _masker(backend: str) -> Masker:
    return Masker(backend=backend)


@pytest.fixture(params=["re", "auto"])
def masker(request: pytest.FixtureRequest) -> Masker:
    return _masker(request.param)


def _covered(masker: Masker, text: str) -> set[int]:
    covered: set[int] = set()
    for f in masker.detect(text):
        if f.entity == "LOCATION":
            covered.update(range(f.start, f.end))
    return covered


@pytest.mark.parametrize(("text", "address"), POSITIVES)
def test_address_masked(masker: Masker, text: str, address: str) -> None:
    start = text.index(address)
    covered = _covered(masker, text)
    missed = [i for i in range(start, start + len(address)) if text[i].isalnum()]
    missed = [i for i in missed if i not in covered]
    assert not missed, f"{len(missed)} characters of the address left unmasked"


@pytest.mark.parametrize("text", NEGATIVES)
def test_prose_kept(text: str) -> None:
    found = list(IntlAddressDetector().detect(text))
    assert not found, [(f.start, f.end) for f in found]


@pytest.mark.parametrize("text", NEGATIVES)
def test_prose_kept_by_masker(masker: Masker, text: str) -> None:
    """No LOCATION beyond what the Latin detector already reports (places named alone)."""
    before = {(f.start, f.end) for f in LocationDetector().detect(text) if f.score >= 0.5}
    after = {(f.start, f.end) for f in masker.detect(text) if f.entity == "LOCATION"}
    assert after <= before


def test_registered_after_location() -> None:
    i = PII_DETECTORS.index(LocationDetector)
    assert PII_DETECTORS[i + 1] is IntlAddressDetector


@pytest.mark.parametrize(("text", "address"), POSITIVES)
def test_trigger_is_necessary(text: str, address: str) -> None:
    """Every string the detector finds something in matches its trigger, on both backends."""
    del address
    text = fold(text)  # the engine hands detectors the folded view (Bengali digits as ASCII)
    assert list(IntlAddressDetector().detect(text))
    assert re.search(IntlAddressDetector.trigger, text, re.ASCII | re.IGNORECASE)


def test_backends_agree() -> None:
    re_masker, default = _masker("re"), _masker("auto")
    for text, _ in POSITIVES:
        assert re_masker.detect(text) == default.detect(text)
    for text in NEGATIVES:
        assert re_masker.detect(text) == default.detect(text)


def test_masked_once_is_masked() -> None:
    """Masking the masked text again finds nothing more (idempotence)."""
    m = _masker("re")
    for text, _ in POSITIVES:
        once = m.mask(text)
        assert m.mask(once) == once
