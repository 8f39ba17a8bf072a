"""How long free text may be: one figure per kind of field, used by the API schemas (so stated in the OpenAPI
document), the page forms and the services alike. A description of a few pages fits; a 2 MB one does not."""

SEARCH = 100  # a search box
CODE = 50  # a slug, a category code, a choice value
NAME = 100  # a person's name
SHORT = 200  # a line: co-visitors
NOTE = 2000  # a note or a reason given with an action
TEXT = 5000  # a description, a result, an explanation, a reply, a visit summary, a diary entry
PASSWORD = 1000
