"""Hot-path ORM statements compiled to SQL once per process instead of on every call.

Django compiles a QuerySet or an INSERT afresh on every call: for a one-row lookup
with `select_related` that is ~500 Python calls, more than the round trip to
PostgreSQL costs. The few statements that every API request runs (token lookup,
requester lookup, the rows of a new ticket) use these helpers instead. They keep
Django's semantics where it matters: values go through the fields' own
`get_db_prep_save`/`pre_save` (defaults, `auto_now_add`, JSON), rows come back
through the backend's converters and `Model.from_db` with related objects filled in
as `select_related` would; a model with `pre_save`/`post_save` receivers is saved
with `save()` as before.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.signals import post_save, pre_save

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class _Select:
    sql: str
    slots: tuple[str, ...]
    compiler: Any
    converters: dict
    init_list: list[str]
    start: int
    end: int
    populators: list


class CompiledQuery(Generic[M]):
    """A read query whose SQL is built once; each call binds new values.

    `build(**samples)` returns the QuerySet; every keyword must reach the SQL as one
    query parameter (a filter value). Calls must pass values of the samples' types,
    already in the form the field stores (an int for an id, a str for a CharField),
    since no lookup preparation runs per call.
    """

    def __init__(self, build: Callable[..., QuerySet[M]], **samples: Any) -> None:
        self._build = build
        self._samples = samples
        self._compiled: dict[str, _Select] = {}

    def _compile(self, alias: str) -> _Select:
        compiler = self._build(**self._samples).query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        slots = []
        for param in params:
            names = [
                name
                for name, sample in self._samples.items()
                if type(sample) is type(param) and sample == param
            ]
            if len(names) != 1:
                raise ValueError(f"cannot tell which argument parameter {param!r} is")
            slots.append(names[0])
        klass_info, select = compiler.klass_info, compiler.select
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        return _Select(
            sql=sql,
            slots=tuple(slots),
            compiler=compiler,
            converters=compiler.get_converters([s[0] for s in select[: compiler.col_count]]),
            init_list=[column[0].target.attname for column in select[start:end]],
            start=start,
            end=end,
            populators=get_related_populators(klass_info, select, alias),
        )

    def all(self, using: str = "default", **values: Any) -> list[M]:
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        for name, value in values.items():
            if type(value) is not type(self._samples[name]):
                raise TypeError(f"{name} must be {type(self._samples[name]).__name__}")
        with connections[using].cursor() as cursor:
            cursor.execute(compiled.sql, [values[name] for name in compiled.slots])
            rows: Iterable = cursor.fetchall()
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        objects = []
        model_cls = compiled.compiler.klass_info["model"]
        for row in rows:
            obj = model_cls.from_db(using, compiled.init_list, row[compiled.start : compiled.end])
            for populator in compiled.populators:
                populator.populate(row, obj)
            objects.append(obj)
        return objects

    def first(self, using: str = "default", **values: Any) -> M | None:
        """The one row (lookups here are by unique keys), or None."""
        rows = self.all(using, **values)
        return rows[0] if rows else None


@dataclass(frozen=True)
class _Insert:
    sql: str
    fields: list
    returning: list


_inserts: dict[tuple, _Insert] = {}


def insert(
    obj: M,
    using: str | None = None,
    applied: Collection[Callable] = (),
    computed: Mapping[str, str] | None = None,
) -> M:
    """INSERT a new instance as `obj.save(force_insert=True)` does, with cached SQL.

    For plain models on the hot path (no multi-table inheritance). Whatever this
    fast path does not cover goes through `save()` itself: an explicit auto id,
    a field set to an expression or a database default, or `pre_save`/`post_save`
    receivers for the model, except the `pre_save` receivers named in `applied`,
    whose work the caller has already done on `obj`.

    `computed` maps fields to SQL expressions (without parameters) that the database
    evaluates in the INSERT itself, e.g. `nextval(...)` for a number: the values come
    back with RETURNING, saving a round trip.
    """
    model = type(obj)
    using = using or router.db_for_write(model, instance=obj)
    connection = connections[using]
    key = (model, using, tuple(sorted((computed or {}).items())))
    compiled = _inserts.get(key)
    if compiled is None:
        compiled = _inserts[key] = _compile_insert(model, using, computed or {})
    explicit_id = model._meta.auto_field is not None and obj.pk is not None
    if explicit_id or _unapplied_receivers(model, applied) or post_save.has_listeners(model):
        return _save(obj, using, computed)
    obj._prepare_related_fields_for_save(operation_name="save")
    values = [field.pre_save(obj, True) for field in compiled.fields]
    if any(hasattr(value, "resolve_expression") for value in values):
        return _save(obj, using, computed)
    params = [
        _plain(field.get_db_prep_save(value, connection=connection))
        for field, value in zip(compiled.fields, values, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, params)
        if compiled.returning:
            row = cursor.fetchone()
            for field, value in zip(compiled.returning, row, strict=True):
                setattr(obj, field.attname, value)
    obj._state.adding = False
    obj._state.db = using
    return obj


def _plain(value: Any) -> Any:
    """A str subclass (a TextChoices member, a SafeString) as the plain str it holds.

    psycopg finds the dumper of a subclass by walking its MRO, without keeping the
    answer, on every new cursor: a ticket's half-dozen choice fields cost more in
    that search than in sending them. The stored text is the same.
    """
    if isinstance(value, str) and type(value) is not str:
        return str.__str__(value)
    return value


def _unapplied_receivers(model: type[Model], applied: Collection[Callable]) -> bool:
    if not pre_save.has_listeners(model):
        return False
    sync_receivers, async_receivers = pre_save._live_receivers(model)
    return bool(async_receivers) or any(r not in applied for r in sync_receivers)


def _save(obj: M, using: str, computed: Mapping[str, str] | None) -> M:
    """The slow path: evaluate the computed fields first, then `save()`."""
    if computed:
        with connections[using].cursor() as cursor:
            for attname, expression in computed.items():
                cursor.execute(f"SELECT {expression}")  # noqa: S608 - the caller's constant SQL
                setattr(obj, attname, cursor.fetchone()[0])
    obj.save(force_insert=True, using=using)
    return obj


def _compile_insert(model: type[Model], using: str, computed: Mapping[str, str]) -> _Insert:
    connection = connections[using]
    meta = model._meta
    if meta.parents:
        raise ValueError("insert() does not handle multi-table inheritance")
    columns = [
        f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field
    ]
    if any(hasattr(f, "get_placeholder") for f in columns):
        raise ValueError("insert() writes plain %s placeholders only")
    unknown = set(computed) - {f.attname for f in columns}
    if unknown:
        raise ValueError(f"insert() cannot compute {sorted(unknown)}: not columns of {meta.label}")
    fields = [f for f in columns if f.attname not in computed]
    by_database = [f for f in columns if f.attname in computed]
    if not connection.features.can_return_columns_from_insert:
        if meta.auto_field is not None or computed:
            raise ValueError("insert() needs INSERT ... RETURNING")
        returning = []
    else:
        returning = [*meta.db_returning_fields, *by_database]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - quoted names, values are parameters
        quote(meta.db_table),
        ", ".join(quote(f.column) for f in fields + by_database),
        ", ".join(["%s"] * len(fields) + [computed[f.attname] for f in by_database]),
    )
    if returning:
        returning_sql, _ = connection.ops.return_insert_columns(returning)
        sql = f"{sql} {returning_sql}"
    return _Insert(sql=sql, fields=fields, returning=returning)
