from __future__ import annotations

import pytest

from tests.detectors._tables import spans
from tracemask.detectors.pii.crypto import CryptoWalletDetector
from tracemask.detectors.pii.national_ids import NationalIdDetector
from tracemask.detectors.pii.network import IPv4Detector, IPv6Detector, MacAddressDetector

BTC = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"
BECH32 = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
ETH = "0x52908400098527886E0F7030069857D2E4169EE7"

CASES = [
    (IPv4Detector, "client 203.0.113.7 connected", ["203.0.113.7"]),
    (IPv4Detector, "x-forwarded-for: 10.0.0.1, 192.168.1.20", ["10.0.0.1", "192.168.1.20"]),
    (IPv4Detector, "net 10.1.0.0/16 routed", ["10.1.0.0"]),
    (IPv4Detector, "requires v1.2.3.4 or ==2.0.1.3", []),
    (IPv4Detector, "version 1.2.3.4", []),
    (IPv4Detector, "oid 1.3.6.1.4.1", []),
    (IPv4Detector, "bad 999.1.1.1 and 01.02.03.04", []),
    (IPv6Detector, "from 2001:db8::8a2e:370:7334 ok", ["2001:db8::8a2e:370:7334"]),
    (IPv6Detector, "fe80:0:0:0:202:b3ff:fe1e:8329 up", ["fe80:0:0:0:202:b3ff:fe1e:8329"]),
    (IPv6Detector, "std::vector<int> and Foo::bar", []),
    (IPv6Detector, "at 12:30:45 and ::1", []),
    # Addresses of no one: unspecified, loopback, broadcast, netmasks.
    (IPv4Detector, "listen 0.0.0.0:8080 and 127.0.0.1 or 127.0.1.1", []),
    (IPv4Detector, "mask 255.255.255.0 bcast 255.255.255.255", []),
    (IPv4Detector, "host 255.1.2.3", ["255.1.2.3"]),
    (IPv6Detector, "bind [::] and ::ffff:127.0.0.1", []),
    (MacAddressDetector, "mac 00:1A:2B:3C:4D:5E seen", ["00:1A:2B:3C:4D:5E"]),
    (MacAddressDetector, "mac 00-1a-2b-3c-4d-5e", ["00-1a-2b-3c-4d-5e"]),
    (MacAddressDetector, "cisco 001a.2b3c.4d5e", ["001a.2b3c.4d5e"]),
    (MacAddressDetector, "ff:ff:ff:ff:ff:ff and 12:30:45:10", []),
    (CryptoWalletDetector, f"btc {BTC}", [BTC]),
    (CryptoWalletDetector, f"to {BECH32}", [BECH32]),
    (CryptoWalletDetector, f"eth {ETH}", [ETH]),
    (CryptoWalletDetector, "btc 1BoatSLRHtKNngkdXEeobR76b53LETtpyX", []),  # bad checksum
    (CryptoWalletDetector, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx", []),
]  # fmt: skip


@pytest.mark.parametrize(("cls", "text", "values"), CASES)
def test_network_and_crypto(cls: type, text: str, values: list[str], backend: str) -> None:
    found = spans(cls(), text, backend)
    assert [v for _, v in found] == values


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        ("it.codicefiscale", "CF RSSMRA85T10A562S", "RSSMRA85T10A562S"),
        ("es.dni", "DNI 54362315K", "54362315K"),
        ("nl.bsn", "BSN 111222333", "111222333"),
        ("br.cpf", "CPF 390.533.447-05", "390.533.447-05"),
    ],
)
def test_national_ids(kind: str, text: str, value: str, backend: str) -> None:
    assert spans(NationalIdDetector(kind), text, backend) == [("NATIONAL_ID", value)]


def test_national_ids_need_valid_checksum_and_context(backend: str) -> None:
    assert spans(NationalIdDetector("es.dni"), "DNI 54362315Z", backend) == []
    assert spans(NationalIdDetector("nl.bsn"), "order 111222333", backend) == []
