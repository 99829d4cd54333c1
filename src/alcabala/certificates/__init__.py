"""Pre-purchase certificates: what the registry says of one vehicle, signed, for a buyer
to verify with no network (COSE_Sign1, Base45, a QR code), superseded in the log when the
vehicle is reported stolen or retired while it is in force; and the physical inspections
registrars record. See docs/certificates.md."""
