from __future__ import annotations

from pydantic import BaseModel, Field

from helpline.accounts.choices import Language, Role, Tier
from helpline.api.schemas import StrictIn


class Strict(StrictIn):
    """Request bodies refuse unknown fields and NUL characters."""


class TokenRequest(Strict):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)
    name: str = Field(default="api", max_length=100)
    scopes: list[str] = Field(default_factory=lambda: ["*"], max_length=10)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class TokenOut(BaseModel):
    id: int
    name: str
    token: str | None = None
    hint: str
    scopes: list[str]
    created_at: str
    expires_at: str | None = None
    last_used_at: str | None = None
    revoked_at: str | None = None


class UserRef(BaseModel):
    id: int
    email: str
    full_name: str


class UserOut(BaseModel):
    id: int
    email: str
    full_name: str
    phone: str
    language: str
    time_zone: str
    role: str
    tier: str
    organization_id: int | None
    team_ids: list[int]
    skills: list[str]
    is_active: bool


class UserIn(Strict):
    email: str = Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    full_name: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=50)
    language: Language = Language.EN
    time_zone: str = Field(default="UTC", max_length=64)
    role: Role = Role.REQUESTER
    tier: Tier | None = None
    organization_id: int | None = None
    team_ids: list[int] = Field(default_factory=list)
    password: str | None = Field(default=None, min_length=8, max_length=1024)


class UserPatch(Strict):
    full_name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=50)
    language: Language | None = None
    time_zone: str | None = Field(default=None, max_length=64)
    role: Role | None = None
    tier: Tier | None = None
    organization_id: int | None = None
    team_ids: list[int] | None = None
    is_active: bool | None = None


class OrganizationOut(BaseModel):
    id: int
    name: str
    domain: str
    is_vip: bool
    shares_tickets: bool


class OrganizationIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    domain: str = Field(default="", max_length=200)
    is_vip: bool = False
    shares_tickets: bool = False
    notes: str = Field(default="", max_length=5000)


class OrganizationPatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    domain: str | None = Field(default=None, max_length=200)
    is_vip: bool | None = None
    shares_tickets: bool | None = None
    notes: str | None = Field(default=None, max_length=5000)


class TeamOut(BaseModel):
    id: int
    name: str
    slug: str
    email: str
    tier: str
    member_ids: list[int]


class TeamIn(Strict):
    name: str = Field(min_length=1, max_length=120)
    slug: str = Field(min_length=1, max_length=60, pattern=r"^[-a-z0-9_]+$")
    email: str = Field(default="", max_length=254)
    tier: Tier | None = None
    description: str = Field(default="", max_length=5000)
    member_ids: list[int] = Field(default_factory=list)


class TeamPatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    email: str | None = Field(default=None, max_length=254)
    tier: Tier | None = None
    description: str | None = Field(default=None, max_length=5000)
    member_ids: list[int] | None = None
