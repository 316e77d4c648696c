"""What every layer may use and that imports nothing else of Vouchy: the configuration file
(``config``), the error family (``errors``), structured logs (``logs``), input rules
(``validation``) and the English and French texts (``i18n``)."""
