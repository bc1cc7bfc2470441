"""OCR pre-fill of received faxes (issue 18, item 2): `engine` turns a fax file into page
texts with Tesseract (through pytesseract), `extract` reads the request fields from those
texts. Neither touches the database; `cases.services.fax_ocr` does."""
