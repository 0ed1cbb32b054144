"""Plain-Python domain: vocabulary, validation, minutes and exports. No Flask here."""
