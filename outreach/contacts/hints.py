"""The hint every refused contacts file ends with: what the importer accepts."""

FORMATS_HINT = (
    "accepted: a LinkedIn Connections.csv, a Google Contacts CSV, any CSV with a header row "
    "(name or email columns), or a vCard file (.vcf); choose one with --format "
    "auto|csv|linkedin|google|vcard"
)
