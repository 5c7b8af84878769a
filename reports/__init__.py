"""CSV exports for analysts and the health department (Excel-ready: UTF-8 with BOM)."""
