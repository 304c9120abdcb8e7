"""The one workflow engine: every state machine is a table of actions read by one ``transition()``.

Declare a machine next to the services that use it::

    ORDERS = Machine(
        RectificationOrder,
        history=OrderTransition,               # a concrete subclass of TransitionRecord
        action_labels=OrderAction,             # TextChoices: each action's label, in the user's language
        state_refusal=gettext_lazy("“%(action)s” is not possible while the order is “%(status)s”."),
        scope_refusal=gettext_lazy("You may not “%(action)s”: the order belongs to another department."),
        actions=[
            Action(OrderAction.ACKNOWLEDGE, {OrderStatus.ISSUED}, OrderStatus.ACKNOWLEDGED,
                   roles=(Role.DEPT_HEAD,), scoped=True),
            ...
        ],
    )

and write each service as "validate the input, then ``ORDERS.transition(...)``". The table is the
whole rule: ``check()`` refuses (``ActionNotAllowed``, a message in the user's language) on the
role, then the scope (the actor's department), then the from-state, then the action's guard;
``transition()`` locks the row, checks, sets the to-state, runs the service's ``mutate``, saves and
writes one history row, in one atomic block; ``allowed_actions()`` applies the same rule (the table's
``_refusal``, then the guard) to every action in table order, without wording the refusals nobody
reads, so the buttons on a page are exactly what the service would accept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import ActionNotAllowed
from .infra.wording import Worded, join_list, render

# A guard looks at the (locked) object, the actor and the call's context and raises
# ActionNotAllowed with its own message when the action is not possible; it returns nothing.
Guard = Callable[[Any, Any, dict], None]


@dataclass(frozen=True)
class Action:
    """One row of a machine's table."""

    name: str
    sources: frozenset[str]  # the from-states
    target: str | None  # the to-state; None: unchanged (or set by the service's mutate)
    roles: tuple[str, ...]
    guard: Guard | None = None
    scoped: bool = False  # the actor must belong to the object's department (Machine.in_scope)
    # Who may act without one of the roles (the complaint's current owner): (obj, actor) -> bool.
    also: Callable[[Any, Any], bool] | None = None
    label: Any = None  # lazy text; taken from the machine's action_labels when not given
    style: str = "outline-primary"  # the button's Bootstrap colour on the page

    def __post_init__(self):
        object.__setattr__(self, "sources", frozenset(self.sources))
        object.__setattr__(self, "roles", tuple(self.roles))


SCOPE_REFUSAL = gettext_lazy("You may not “%(action)s”: it belongs to another department.")

# Every machine by model, so allowed_actions(obj, user) finds the table of any object.
_MACHINES: dict[type[models.Model], Machine] = {}


class Machine:
    """A state machine: the model, its status field, its history table and its actions in order."""

    def __init__(
        self,
        model: type[models.Model],
        *,
        actions: Iterable[Action],
        history: type[TransitionRecord],
        state_refusal,
        scope_refusal=None,
        action_labels: type[models.TextChoices] | None = None,
        status_field: str = "status",
        in_scope: Callable[[Any, Any], bool] | None = None,
        lock_related: Sequence[str] = (),
        subject: str = "",
        moves_notices: bool = True,
    ):
        self.model = model
        # A change of state moves the notices about the object's page on (no longer unread work);
        # False for a machine whose objects share another's page (a corrective action: its order's).
        self.moves_notices = moves_notices
        # The services' keyword for the object (``order_submit(order=...)``).
        self.subject = subject or model._meta.model_name
        self.history = history
        self.status_field = status_field
        self.state_refusal = state_refusal
        self.scope_refusal = scope_refusal or SCOPE_REFUSAL
        self.lock_related = tuple(lock_related)
        self._in_scope = in_scope
        self.action_labels = action_labels
        self.actions: dict[str, Action] = {}
        for action in actions:
            if action.name in self.actions:
                raise ValueError(f"{model.__name__}: action {action.name!r} declared twice")
            if action.label is None:
                if action_labels is None:
                    raise ValueError(f"{model.__name__}: action {action.name!r} has no label")
                action = replace(action, label=action_labels(action.name).label)
            self.actions[action.name] = action
        _MACHINES[model] = self

    def __repr__(self) -> str:
        return f"<Machine {self.model.__name__}: {', '.join(self.actions)}>"

    # --- the rule ---------------------------------------------------------------------------

    def action(self, name: str) -> Action:
        try:
            return self.actions[name]
        except KeyError:
            raise ActionNotAllowed(_("Unknown action.")) from None

    def action_label(self, name: str):
        """The label of any action the history holds, including steps outside the table (issue)."""
        if name in self.actions:
            return self.actions[name].label
        if self.action_labels is not None and name in self.action_labels.values:
            return self.action_labels(name).label
        return name

    def status_label(self, value: str):
        return dict(self.model._meta.get_field(self.status_field).flatchoices).get(value, value)

    def in_scope(self, obj, actor) -> bool:
        """Whether ``actor`` belongs to ``obj``'s department (or the machine's own scope rule)."""
        if self._in_scope is not None:
            return self._in_scope(obj, actor)
        return obj.department_id in actor.department_ids

    def _refusal(self, obj, actor, action: Action) -> Callable[[], str] | None:
        """Why the table refuses ``action`` to ``actor`` on ``obj`` now, on the role, then the scope,
        then the from-state: a function wording the refusal, or None (the guard is still to ask).

        Worded only when someone reads it (``check``): the buttons ask every action of every row of
        a list, and wording each refusal (the action's, the roles' and the status's labels) was most
        of what a refused action cost there."""
        if actor is None:
            pass  # the schedule or a worker (never a view): bound by the state and the guard only
        elif not (actor.has_role(*action.roles) or (action.also is not None and action.also(obj, actor))):
            return lambda: (
                _("You may not “%(action)s”: it needs the role %(roles)s.")
                % {
                    "action": action.label,
                    "roles": join_list(_role_label(r) for r in action.roles),
                }
            )
        elif action.scoped and not self.in_scope(obj, actor):
            return lambda: self.scope_refusal % {"action": action.label}
        status = getattr(obj, self.status_field)
        if status not in action.sources:
            return lambda: self.state_refusal % {"action": action.label, "status": self.status_label(status)}
        return None

    def check(self, obj, actor, name: str, context: dict | None = None) -> Action:
        """Raise ActionNotAllowed unless ``actor`` may do ``name`` on ``obj`` now; return the action."""
        action = self.action(name)
        refusal = self._refusal(obj, actor, action)
        if refusal is not None:
            raise ActionNotAllowed(refusal())
        if action.guard is not None:
            action.guard(obj, actor, context or {})
        return action

    def allowed(self, obj, actor, name: str, context: dict | None = None) -> bool:
        """Whether ``check`` would pass, without wording the table's refusals."""
        action = self.actions.get(name)
        if action is None or self._refusal(obj, actor, action) is not None:
            return False
        try:
            if action.guard is not None:
                action.guard(obj, actor, context or {})
        except ActionNotAllowed:
            return False
        return True

    def allowed_actions(self, obj, actor, context: dict | None = None) -> list[Action]:
        """The actions ``actor`` may do on ``obj`` now, in table order: the page's buttons."""
        return [a for a in self.actions.values() if self.allowed(obj, actor, a.name, context)]

    # --- the change -------------------------------------------------------------------------

    def lock(self, obj):
        """Re-read ``obj`` under a row lock (SQLite: the IMMEDIATE transaction serialises writers)."""
        qs = self.model._default_manager.select_for_update()
        if self.lock_related:
            qs = qs.select_related(*self.lock_related)
        return qs.get(pk=obj.pk)

    def transition(
        self,
        obj,
        *,
        actor,
        action: str,
        comment: str | Worded | Callable[[Any], str | Worded] = "",
        mutate: Callable[[Any], None] | None = None,
        save: bool | Sequence[str] = True,
        context: dict | None = None,
    ):
        """Lock, check, change, save, record; all or nothing. Returns the locked, changed object.

        ``mutate(locked)`` runs after the check and the to-state; it may raise ActionNotAllowed
        (everything is rolled back) and may set the status itself when the table's target is None.
        ``comment`` may be a function of the changed object (a comment naming what ``mutate`` made).
        ``save``: True saves the whole row, a list saves those fields, False leaves saving to
        ``mutate`` (an action that changes only other rows, such as an extension request).
        """
        started = timezone.now()
        with transaction.atomic():
            locked = self.lock(obj)
            rule = self.check(locked, actor, action, context)
            from_status = getattr(locked, self.status_field)
            if rule.target is not None:
                setattr(locked, self.status_field, rule.target)
            if mutate is not None:
                mutate(locked)
            if save:
                # django-simple-history's reason, where kept: the action's code, worded when shown
                locked._change_reason = rule.name
                locked.save(update_fields=None if save is True else list(save))
            if callable(comment):
                comment = comment(locked)
            self.record(locked, action=action, actor=actor, from_status=from_status, comment=comment)
            if self.moves_notices and getattr(locked, self.status_field) != from_status:
                notices_moved_on(locked, before=started)
        return locked

    def record(
        self, obj, *, action: str, actor, from_status: str, comment: str | Worded = ""
    ) -> TransitionRecord:
        """Write one history row (also for steps outside the table: creation, receipt)."""
        return self.history.objects.create(
            **self.history.subject_kwargs(obj),
            at=timezone.now(),
            action=action,
            from_status=from_status,
            to_status=getattr(obj, self.status_field),
            actor=actor,
            **_comment_fields(comment),
        )


def notices_moved_on(obj, *, before) -> int:
    """The unread notices about ``obj``'s page sent before ``before`` are history now: the object
    moved on from the state they announced (``Notification.moved_on_at``). Notices the same step
    sends afterwards are new work. Objects without a page have no notices to move on."""
    if not hasattr(obj, "get_absolute_url"):
        return 0
    from .models import Notification, notification_item

    item = notification_item(obj.get_absolute_url(), "")
    return Notification.objects.filter(
        item=item, created_at__lt=before, read_at__isnull=True, moved_on_at__isnull=True
    ).update(moved_on_at=timezone.now())


def _comment_fields(comment) -> dict:
    """A person's words go to ``comment``; a Worded (a note the application words) to its key and
    parameters, worded when shown."""
    if isinstance(comment, Worded):
        return {"comment": "", "comment_key": comment.key, "comment_params": comment.params}
    return {"comment": comment}


def _role_label(role: str):
    from .models import Role

    return Role(role).label


def machine_for(obj_or_model) -> Machine:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    try:
        return _MACHINES[model._meta.concrete_model]
    except KeyError:
        raise LookupError(f"no state machine is declared for {model.__name__}") from None


def allowed_actions(obj, user, context: dict | None = None) -> list[Action]:
    """The actions ``user`` may do on ``obj`` now, in the table's order (drives the buttons)."""
    return machine_for(obj).allowed_actions(obj, user, context)


def transition(obj, *, actor, action: str, **kwargs):
    """``Machine.transition`` for ``obj``'s machine."""
    return machine_for(obj).transition(obj, actor=actor, action=action, **kwargs)


# --- the history ------------------------------------------------------------------------------


class TransitionRecord(models.Model):
    """One row per workflow step: who, when, which action, from, to, comment. Append-only.

    Every machine's history table inherits this and adds the foreign key to its subject, named
    by ``subject_field``. A table about several kinds of subject (a generic foreign key) overrides
    ``subject_kwargs`` (the fields that point at the subject) and ``subject_model`` (whose machine
    words the labels).
    """

    subject_field: ClassVar[str] = ""

    at = models.DateTimeField(gettext_lazy("at"), default=timezone.now)
    action = models.CharField(gettext_lazy("action"), max_length=32, blank=True)
    from_status = models.CharField(gettext_lazy("from"), max_length=16, blank=True)
    to_status = models.CharField(gettext_lazy("to"), max_length=16)
    # Empty only for a step nobody signed in took (a complaint from the public web form).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(gettext_lazy("comment"), blank=True, max_length=4000)
    # A note the application words is stored as a message key + parameters (supervision.infra.wording)
    # and worded for the reader; ``comment`` holds a person's own words, or a note from before.
    comment_key = models.CharField(max_length=64, blank=True)
    comment_params = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        subject = getattr(self, f"{self.subject_field}_id", "") if self.subject_field else ""
        return f"{subject} {self.from_status}→{self.to_status}".strip()

    @property
    def comment_text(self) -> str:
        """The note in the active language."""
        return render(self.comment_key, self.comment_params, fallback=self.comment)

    comment_text.fget.short_description = gettext_lazy("comment")  # its column in the admin

    @classmethod
    def subject_kwargs(cls, obj) -> dict:
        return {cls.subject_field: obj}

    # The labels, read from the subject's machine (the table's fields hold codes only).
    @property
    def action_label(self):
        return machine_for(self.subject_model()).action_label(self.action)

    @property
    def from_status_label(self):
        return machine_for(self.subject_model()).status_label(self.from_status) if self.from_status else ""

    @property
    def to_status_label(self):
        return machine_for(self.subject_model()).status_label(self.to_status)

    # Column titles where the admin lists them.
    action_label.fget.short_description = gettext_lazy("action")
    from_status_label.fget.short_description = gettext_lazy("from")
    to_status_label.fget.short_description = gettext_lazy("to")

    def subject_model(self):
        return self._meta.get_field(self.subject_field).related_model


__all__ = [
    "Action",
    "ActionNotAllowed",
    "Guard",
    "Machine",
    "TransitionRecord",
    "allowed_actions",
    "machine_for",
    "transition",
]
