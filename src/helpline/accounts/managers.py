from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import BaseUserManager


class UserManager(BaseUserManager):
    """Users log in with their e-mail address; there is no username."""

    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: Any):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: Any):
        fields.setdefault("role", "requester")
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any):
        fields.update(role="admin", is_superuser=True)
        return self._create(email, password, **fields)

    def get_by_natural_key(self, username: str | None):
        return self.get(email__iexact=username)
