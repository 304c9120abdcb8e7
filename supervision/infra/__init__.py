"""The core's infrastructure, kept apart from its domain: caching (figcache, fragments),
enqueueing (tasking), uploads, imports, exports, wording, logging, middleware, view responses,
public forms, deployment checks and backups."""
