"""The chart scripts, for the pages that draw charts (`{% block charts %}{% chart_scripts %}{% endblock %}`).

ECharts is installed from npm at set-up (`make static`). Where it is missing — a plain checkout that never ran
make — the page loads neither script and its tables carry the numbers on their own.
"""

from django import template
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.templatetags.static import static
from django.utils.html import format_html_join

register = template.Library()

LIBRARY = "vendor/echarts/echarts.min.js"
SCRIPTS = (LIBRARY, "web/charts.js")


def library_present() -> bool:
    """Whether the chart library can be served: collected (hashed), or found where collectstatic would look."""
    try:
        static(LIBRARY)  # the manifest storage raises when collectstatic never saw the file
    except ValueError:
        return False
    return staticfiles_storage.exists(LIBRARY) or finders.find(LIBRARY) is not None


@register.simple_tag
def chart_scripts() -> str:
    if not library_present():
        return ""
    return format_html_join("", '<script src="{}" defer></script>', ((static(path),) for path in SCRIPTS))
