"""Loading a campaign configuration into the database: the campaign, its scope, phases and categories.

Loading is idempotent: rows are matched by slug, phase key and category code and written only
when something changed, so loading the same file twice changes nothing the second time.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import transaction
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts import audit
from zoufang.accounts.models import AuditEvent
from zoufang.campaigns.checks import item_code_of
from zoufang.campaigns.models import Campaign, CaseCategory, Phase
from zoufang.campaigns.validation import file_errors, normalise, read_campaign_file, validate_config
from zoufang.campaigns.values import parse_date
from zoufang.forms.services import publish_named
from zoufang.regions.models import Region
from zoufang.registry.unitnames import second_top_region_refusal

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ConfigRow = TypeVar("ConfigRow", Phase, CaseCategory)


class CampaignConfigError(ValueError):
    """The configuration is not valid; `errors` holds one Chinese message per broken rule."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0  # phases deleted, categories archived (disabled_on set)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


@dataclass
class LoadReport:
    campaign: Campaign
    created: bool
    campaign_changes: dict[str, Any] = field(default_factory=dict)  # {field: [old, new]}
    regions_created: list[str] = field(default_factory=list)
    phases: Tally = field(default_factory=Tally)
    categories: Tally = field(default_factory=Tally)
    # The questionnaires it names: shipped definitions published now, and those with no published version
    forms_published: list[Any] = field(default_factory=list)
    forms_missing: list[dict[str, Any]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.created or bool(self.campaign_changes) or self.phases.changed or self.categories.changed


def load_campaign_file(path: str | Path, *, by: "User | None" = None) -> Campaign:
    """Create or update the campaign described by a YAML file (see docs/campaign-format.md)."""
    return load_campaign_file_with_report(path, by=by).campaign


def load_campaign_file_with_report(path: str | Path, *, by: "User | None" = None) -> LoadReport:
    parsed = read_campaign_file(path)
    errors = file_errors(parsed)
    if errors:
        raise CampaignConfigError(errors)
    return load_campaign_config(parsed.data, source_name=Path(path).name, by=by)


@transaction.atomic
def load_campaign_config(data: dict[str, Any], *, source_name: str = "", by: "User | None" = None) -> LoadReport:
    """Create or update a campaign from a configuration dict; raises CampaignConfigError if invalid."""
    errors = validate_config(data)
    if errors:
        raise CampaignConfigError(errors)
    config: dict[str, Any] = normalise(data)
    regions_created: list[str] = []
    scope = _scope_region(config["scope"], by=by, created=regions_created)
    values: dict[str, Any] = {
        "name": config["name"],
        "scope": scope,
        "starts_on": parse_date(config["period"]["starts_on"]),
        "ends_on": parse_date(config["period"]["ends_on"]),
        "config": config,
        "source_name": source_name,
    }
    campaign = Campaign.objects.select_for_update().filter(slug=config["slug"]).first()
    if campaign is None:
        campaign = Campaign.objects.create(slug=config["slug"], created_by=by, modified_by=by, **values)
        report = LoadReport(campaign, created=True)
    else:
        report = LoadReport(campaign, created=False, campaign_changes=_update_campaign(campaign, values, by=by))
    report.regions_created = regions_created
    report.phases = _sync_phases(campaign, config["phases"])
    report.categories = _sync_categories(campaign, config["case_categories"])
    report.forms_published, report.forms_missing = publish_named(config.get("questionnaires") or [], by=by)
    if report.changed:
        _audit(report, by=by)
    return report


def _scope_region(scope: list[dict[str, Any]], *, by: "User | None", created: list[str]) -> Region:
    """The last region of the scope path, creating the missing ones along the way."""
    parent: Region | None = None
    for index, entry in enumerate(scope):
        region = Region.objects.filter(parent=parent, name=entry["name"]).first()
        if region is None and parent is None and (refusal := second_top_region_refusal(entry["name"])):
            raise CampaignConfigError([_("scope[%(n)s]：%(refusal)s") % {"n": index + 1, "refusal": refusal}])
        if region is None:
            region = Region(parent=parent, name=entry["name"], level=entry["level"], code=entry.get("code", ""),
                            created_by=by, modified_by=by)
            region.save()
            audit.record(by, AuditEvent.Action.CREATE, region, summary=_("载入走访活动时新增区划“%(name)s”") % {
                "name": region.name})
            created.append(region.name)
        elif region.level != entry["level"]:
            raise CampaignConfigError([_("scope[%(n)s].level：区划“%(name)s”已存在，层级是 %(existing)s，不是 %(level)s") % {
                "n": index + 1, "name": region.name, "existing": region.level, "level": entry["level"]}])
        parent = region
    if parent is None:  # the schema requires at least one entry; this keeps the type honest
        raise CampaignConfigError([_("scope：不能为空")])
    return parent


def _update_campaign(campaign: Campaign, values: dict[str, Any], *, by: "User | None") -> dict[str, Any]:
    """Save only what changed; the changes as {field: [old, new]} for the audit trail."""
    changes: dict[str, Any] = {}
    for name, value in values.items():
        old = getattr(campaign, name)
        if old == value:
            continue
        if name == "config":  # the whole file is too much for one audit row: name the sections
            changes[name] = sorted(key for key in {*old, *value} if old.get(key) != value.get(key))
        else:
            changes[name] = [str(old), str(value)]
        setattr(campaign, name, value)
    if changes:
        campaign.modified_by = by
        campaign.version += 1
        campaign.save()
    return changes


def _sync_phases(campaign: Campaign, phases: list[dict[str, Any]]) -> Tally:
    tally = Tally()
    existing = {phase.key: phase for phase in campaign.phases.all()}
    for position, entry in enumerate(phases, start=1):
        values = {
            "name": entry["name"],
            "starts_on": parse_date(entry["starts_on"]),
            "ends_on": parse_date(entry["ends_on"]) if "ends_on" in entry else None,
            "description": entry.get("description", ""),
            "sort_order": position,
        }
        _upsert(existing.pop(entry["key"], None), Phase(campaign=campaign, key=entry["key"]), values, tally)
    # A phase is configuration only: one that left the file goes.
    for phase in existing.values():
        phase.delete()
        tally.removed += 1
    return tally


def _category_rows(categories: list[dict[str, Any]]) -> Iterator[tuple[str, str | None, str]]:
    """(code, parent code, title) in document order: each category, then its sub-items."""
    for category in categories:
        yield category["code"], None, category["title"]
        for position, item in enumerate(category["items"]):
            title = item if isinstance(item, str) else item["title"]
            yield item_code_of(category["code"], position, item), category["code"], title


def _sync_categories(campaign: Campaign, categories: list[dict[str, Any]]) -> Tally:
    tally = Tally()
    existing = {category.code: category for category in campaign.case_categories.all()}
    saved: dict[str, CaseCategory] = {}
    for position, (code, parent_code, title) in enumerate(_category_rows(categories), start=1):
        values = {
            "parent": saved[parent_code] if parent_code else None,
            "title": title,
            "sort_order": position,
            "disabled_on": None,
        }
        saved[code] = _upsert(existing.pop(code, None), CaseCategory(campaign=campaign, code=code), values, tally)
    # Cases may refer to a category that left the file: archive it, never delete it.
    today = clock.today()
    for category in existing.values():
        if category.disabled_on is None:
            category.disabled_on = today
            category.save(update_fields=["disabled_on"])
            tally.removed += 1
    return tally


def _upsert(current: ConfigRow | None, new: ConfigRow, values: dict[str, Any], tally: Tally) -> ConfigRow:
    if current is None:
        for name, value in values.items():
            setattr(new, name, value)
        new.save()
        tally.created += 1
        return new
    changed = [name for name, value in values.items() if getattr(current, name) != value]
    if changed:
        for name in changed:
            setattr(current, name, values[name])
        current.save(update_fields=changed)
        tally.updated += 1
    else:
        tally.unchanged += 1
    return current


def _audit(report: LoadReport, *, by: "User | None") -> None:
    campaign = report.campaign
    action = AuditEvent.Action.CREATE if report.created else AuditEvent.Action.UPDATE
    changes: dict[str, Any] = dict(report.campaign_changes)
    for name, tally in (("phases", report.phases), ("case_categories", report.categories)):
        if tally.changed:
            changes[name] = {"created": tally.created, "updated": tally.updated, "removed": tally.removed}
    audit.record(by, action, campaign, summary=_("从 %(file)s 载入走访活动“%(name)s”") % {
        "file": campaign.source_name or "-", "name": campaign.name}, changes=changes)
