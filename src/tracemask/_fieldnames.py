"""The built-in table of personal and secret field names: structure is evidence.

One place for every name tracemask knows. Names are written normalised (lower case, no ``_``,
``-``, ``.`` or spaces), so ``billing_phone``, ``billingPhone``, ``billing-phone`` and
``Billing Phone`` are one entry. A leading ``*`` matches any name ending with the rest (the head
noun of English and German compounds: ``*phone`` matches ``billingphone``, ``*telefonnummer``
matches ``kundentelefonnummer``); a trailing ``*`` matches any name starting with it (Romance
languages put the head first: ``telefono*`` matches ``telefonocliente``). Names without a
``*`` match exactly (``tel`` is not ``hotel``).

Two kinds of rows:

- **Whole-value keys** (``PASSWORD``, ``SECRET``, ``PERSON``, ``LOCATION``): the policy's
  ``password_keys``, ``secret_keys``, ``person_keys`` and ``location_keys`` default to them; any
  value under such a key is masked whole.
- **Name keys** (the policy's ``name_keys``): a value under such a key is a ``PERSON`` when the
  name lexicons read it as a name (``NAME_KEYS``).
- **Field hints** (the policy's ``field_hints``): a value under such a key is masked when it has
  roughly the right *shape* for its entity (a phone-ish run of digits, 12-19 card digits, an
  IBAN-ish code, a date for a birth date...), even when its checksum fails or its national
  format is unknown. Shape decides, so ``phone_verified: true``, ``card_count: 3`` and
  ``ssn_last4_present: "yes"`` stay as they are.

This module imports nothing from tracemask: the policy model and the detectors both read it.
"""

from __future__ import annotations

#: Keys whose values are masked whole as PASSWORD (English and the main European languages).
PASSWORD_KEYS = (
    "password", "passwd", "pwd", "pw", "pass", "passphrase", "passcode", "pin", "otp",
    "pincode", "*password", "*passwd", "*passphrase", "*passcode", "*pwd",
    # a card's security code (PCI DSS: never stored after authorisation)
    "cvv", "cvv2", "cvc", "cvc2", "csc", "securitycode", "cardsecuritycode", "*cvv",
    "*cvc", "cardverificationvalue", "cardverificationcode",
    # de, fr, es/pt, it, nl, pl, sv/da/no, fi
    "passwort", "*passwort", "kennwort", "*kennwort", "motdepasse", "mdp", "contrasena",
    "contraseña", "senha", "parola", "parolad'ordine", "wachtwoord", "haslo", "hasło",
    "losenord", "lösenord", "adgangskode", "passord", "salasana",
)  # fmt: skip

#: Keys whose values are masked whole as SECRET.
SECRET_KEYS = (
    "secret", "token", "apikey", "xapikey", "apitoken", "authorization", "proxyauthorization",
    "auth", "cookie", "setcookie", "privatekey", "clientsecret", "accesstoken", "refreshtoken",
    "idtoken", "session", "sessiontoken", "sessionkey", "secretkey", "accesskey",
    "credentials", "credential", "connectionstring", "dsn", "signature", "cvv", "cvc", "cvv2",
    "securitycode", "*secret", "*token", "*apikey", "*privatekey", "*accesskey", "*secretkey",
    "*credentials", "*credential", "*connectionstring", "*signingkey", "*encryptionkey",
    "*masterkey", "*apisecret", "*authtoken", "*bearertoken", "*webhooksecret",
    "geheimnis", "jeton", "clave",
)  # fmt: skip

#: Keys whose values are a person's name, masked whole as PERSON.
PERSON_KEYS = (
    "firstname", "lastname", "fullname", "givenname", "familyname", "surname", "middlename",
    "maidenname", "customername", "patientname", "contactname", "cardholdername", "cardholder",
    "accountholder", "accountholdername", "*firstname", "*lastname", "*fullname", "*surname",
    "*givenname", "*familyname", "*middlename", "*holdername", "*displayname",
    "vorname", "nachname", "*vorname", "*nachname", "familienname", "geburtsname",
    "prenom", "prénom", "nom", "nomdefamille", "nomcomplet", "nomprenom",
    "apellido", "apellidos", "primerapellido", "segundoapellido", "nombrecompleto",
    "nombreyapellidos", "cognome", "nomecompleto", "nomeecognome", "sobrenome",
    "voornaam", "achternaam", "nazwisko", "imie", "imię", "efternamn", "fornamn", "förnamn",
    "fornavn", "efternavn", "etternavn", "etunimi", "sukunimi",
)  # fmt: skip

#: Keys that often hold a person's name but as often something else (``name`` is a tool's, a
#: span's or a model's too; ``user`` an id): a value under them is a PERSON only when the name
#: lexicons read it as one, two to four words, a given name first and a name last, none of them
#: a function word and not all of them dictionary words (``maria garcia``, ``Maria_Garcia``,
#: ``jose l lopez``; not ``get_weather``, ``rose garden``, ``ChatOpenAI``).
NAME_KEYS = (
    "name", "*username", "user", "author", "owner", "customer", "client", "patient",
    "contact", "sender", "recipient", "addressee", "assignee", "reporter", "requester",
    "requestor", "caller", "callee", "guest", "member", "employee", "passenger", "traveler",
    "traveller", "beneficiary", "payee", "payer", "applicant", "candidate", "participant",
    "speaker", "attendee", "signer", "signatory", "nickname", "createdby", "updatedby",
    "modifiedby", "submittedby", "approvedby", "assignedto",
    "nombre", "nome", "naam", "kunde", "cliente", "paciente", "autor", "auteur",
    "destinataire", "empfanger", "empfänger", "absender", "remitente", "destinatario",
)  # fmt: skip

#: Keys whose values are (part of) a street address, masked whole as LOCATION.
LOCATION_KEYS = (
    "streetaddress", "street", "addressline1", "addressline2", "addressline3", "address1",
    "address2", "homeaddress", "shippingaddress", "billingaddress", "mailingaddress",
    "residentialaddress", "postaladdress", "deliveryaddress", "postalcode", "postcode",
    "zipcode", "zip", "*streetaddress", "*homeaddress", "*shippingaddress", "*billingaddress",
    "*mailingaddress", "*deliveryaddress", "*residentialaddress", "*postaladdress",
    "*addressline1", "*addressline2", "*zipcode", "*postalcode", "*postcode", "*street",
    "strasse", "straße", "*strasse", "*straße", "anschrift", "hausnummer", "plz",
    "postleitzahl", "wohnort", "wohnadresse", "lieferadresse", "rechnungsadresse",
    "adressepostale", "codepostal", "direccion", "dirección", "domicilio", "codigopostal",
    "códigopostal", "indirizzo", "codicepostale", "endereco", "endereço", "morada",
    "straat", "adres", "postcodenl", "ulica", "kodpocztowy", "gatuadress", "postnummer",
)  # fmt: skip

#: Shape-checked field hints: entity -> key names. A value under such a key is masked when it
#: has the entity's shape (see ``tracemask.detectors.fields``).
FIELD_HINTS: dict[str, tuple[str, ...]] = {
    "PHONE_NUMBER": (
        "phone", "*phone", "phonenumber", "*phonenumber", "*phoneno", "*phonenr", "*phonenum",
        "telephone", "*telephone", "telephonenumber", "tel", "telno", "telnr", "telnum",
        "mobile", "*mobile", "*mobilenumber", "*mobilephone", "*mobileno", "cell",
        "*cellphone", "*cellnumber", "fax", "*fax", "*faxnumber", "msisdn", "*msisdn",
        "whatsapp", "*whatsapp", "*contactnumber", "*callbacknumber", "*phonenumbers",
        "telefon", "*telefon", "telefon*", "*telefonnummer", "*rufnummer", "*handynummer",
        "handy", "*handy", "*mobilnummer", "mobil", "*festnetz", "*faxnummer",
        "téléphone", "*téléphone", "téléphone*", "telephone*", "portable", "*portable",
        "numerodetelephone", "telefono", "*telefono", "telefono*", "teléfono", "*teléfono",
        "teléfono*", "movil", "móvil", "celular", "*celular", "cellulare", "*cellulare",
        "telefone", "*telefone", "telefone*", "telemovel", "telemóvel",
        "telefoon", "*telefoon", "*telefoonnummer", "mobiel", "*mobielnummer",
        "telefonu", "*telefonu", "komorka", "komórka", "*mobilnr", "puhelin", "*puhelin",
        "puhelinnumero", "matkapuhelin",
    ),
    "EMAIL_ADDRESS": (
        "email", "*email", "emailaddress", "*emailaddress", "*emailaddr", "mail", "*mail",
        "*mailaddress", "emails", "*emails", "*emailid", "replyto", "*replyto",
        "emailadresse", "*emailadresse", "mailadresse", "*mailadresse", "courriel",
        "*courriel", "adresseemail", "adressemail", "adressecourriel", "correo", "*correo",
        "correo*", "correoelectronico", "correoelectrónico", "posta", "postaelettronica",
        "*postaelettronica", "epost", "*epost", "epostadress", "sahkoposti", "sähköposti",
    ),
    "CREDIT_CARD": (
        "creditcard", "*creditcard", "*creditcardnumber", "*cardnumber", "cardno", "*cardno",
        "cardnum", "*cardnum", "ccnumber", "*ccnumber", "ccnum", "ccn", "cc", "pan",
        "primaryaccountnumber", "card", "*card", "debitcard", "*debitcard",
        "kreditkarte", "*kreditkarte", "kartennummer", "*kartennummer",
        "*kreditkartennummer", "numerocarte", "numerodecarte", "cartebancaire", "carte",
        "numerotarjeta", "numerodetarjeta", "tarjeta", "tarjeta*", "*tarjeta",
        "tarjetadecredito", "tarjetadecrédito", "cartedecredit", "cartaodecredito",
        "cartãodecrédito", "cartaodecrédito", "cartãodecredito",
        "numerocarta", "cartadicredito", "numerodocartao", "numerocartao", "cartao",
        "cartão", "kaartnummer", "creditcardnummer", "numerkarty", "kortnummer",
    ),
    "IBAN_CODE": (
        "iban", "*iban", "ibancode", "*ibancode", "ibannumber", "*ibannumber", "ibannr",
        "*bankaccount", "bankaccountnumber", "*bankaccountnumber", "*accountiban",
        "kontonummer", "*kontonummer", "bankverbindung", "comptebancaire", "numerodecompte",
        "cuentabancaria", "numerodecuenta", "contocorrente", "rekeningnummer",
        "numerrachunku", "kontonr",
    ),
    # ``bank_account`` and the like are IBAN_CODE's: a digits-only value under them is this.
    "BANK_ACCOUNT": (
        "accountnumber", "*accountnumber", "accountno", "*accountno", "acctno", "*acctno",
        "acctnumber", "*acctnumber", "acctnum", "routingnumber", "*routingnumber",
        "abanumber", "abaroutingnumber", "routingtransitnumber", "sortcode", "*sortcode",
        "bsb", "bsbnumber",
    ),
    "US_SSN": (
        "ssn", "*ssn", "socialsecuritynumber", "*socialsecuritynumber", "socialsecurity",
        "socialsecurityno", "socsec", "ssnumber", "ssnlast4", "*ssnlast4", "last4ssn",
        "ssnlastfour", "*ssnlastfour",
    ),
    "NATIONAL_ID": (
        "nationalid", "*nationalid", "nationalidnumber", "*nationalidnumber", "taxid",
        "*taxid", "taxidnumber", "tin", "nino", "nationalinsurancenumber", "nhsnumber",
        "passport", "passportnumber", "*passportnumber", "passportno", "*passportno",
        "driverslicense", "*driverslicense", "driverslicence", "*driverslicence",
        "driverlicense", "*driverlicense", "driverlicence", "*driverlicence",
        "driverlicensenumber", "driverslicenceno", "driverlicenseno",
        # HIPAA's identifiers: medical record, health plan and insurance member numbers
        "mrn", "*mrn", "medicalrecordnumber", "*medicalrecordnumber", "medicalrecordno",
        "*medicalrecordno", "healthplanid", "healthplannumber", "*healthplannumber",
        "healthinsurancenumber", "insurancenumber", "*insurancenumber", "insuranceid",
        "memberidnumber", "patientid", "patientnumber", "krankenversichertennummer",
        "versichertennummer", "*versichertennummer",
        # a vehicle's identifiers point at its keeper (GDPR personal data)
        "vin", "*vin", "vehicleidentificationnumber", "licenseplate", "*licenseplate",
        "licenceplate", "*licenceplate", "numberplate", "platenumber", "registrationplate",
        "kennzeichen", "kfzkennzeichen", "immatriculation", "plaqueimmatriculation",
        "matricula", "targa", "kenteken",
        "driverslicensenumber", "idcardnumber", "idnumber", "personalid", "personalnumber",
        "steuerid", "steueridentifikationsnummer", "steuernummer", "sozialversicherungsnummer",
        "svnr", "personalausweis", "personalausweisnummer", "ausweisnummer", "reisepass",
        "reisepassnummer", "nir", "numerosecuritesociale", "numerodesecuritesociale",
        "numerofiscal", "dni", "nie", "nif", "nuss", "codicefiscale", "cf", "cpf", "cnpj",
        "bsn", "burgerservicenummer", "pesel", "personnummer", "cpr", "cprnummer",
        "fodselsnummer", "fødselsnummer", "henkilotunnus", "henkilötunnus", "hetu",
    ),
    "DATE_OF_BIRTH": (
        "dob", "*dob", "dateofbirth", "*dateofbirth", "birthdate", "*birthdate", "birthday",
        "*birthday", "bday", "birthdt", "dtofbirth", "geburtsdatum", "*geburtsdatum",
        "geburtstag", "datenaissance", "datedenaissance", "fechanacimiento",
        "fechadenacimiento", "datadinascita", "datanascita", "datadenascimento",
        "datanascimento", "geboortedatum", "dataurodzenia", "fodelsedatum", "födelsedatum",
        "fodselsdato", "fødselsdato", "syntymaaika",
    ),
    "LOCATION": (
        "address", "*address", "adresse", "*adresse", "adresse*", "direccion*", "indirizzo*",
        "endereco*", "city", "*city", "town", "stadt", "ort", "ville", "ciudad", "citta",
        "città", "cidade", "stad", "miasto",
    ),
}  # fmt: skip
