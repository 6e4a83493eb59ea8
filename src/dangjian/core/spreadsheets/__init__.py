"""One spreadsheet framework for every import and export: declared columns
(`columns`), checked and bounded reading (`reader`), formula-safe writing (`writer`),
templates (`templates`), the error shape, permission check and registry (`importer`),
and background import jobs with progress (`jobs`, `tasks`, `views`).
See docs/development.md, “Spreadsheets: declare columns”."""
