"""Legacy import of survey responses (docs/architecture.md#data): any survey tool's CSV or XLSX
export read into a table (``files``, ``headings``), its columns and closed answers mapped onto
the questionnaire's answer keys (``targets``, ``columns``, ``values``), every row checked into
answers (``parsing``, ``rows``) with problems as ``issues``, and the steps staged, previewed and
committed all or nothing (``operations``).

The shapes handled are those of the survey tools' exports: LimeSurvey, KoboToolbox, ODK,
Google Forms, SurveyMonkey, Qualtrics, REDCap, Microsoft Forms and Excel-saved lists.
"""
