"""The project's number and date formats per language, over Django's (FORMAT_MODULE_PATH)."""
