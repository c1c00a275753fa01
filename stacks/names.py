"""Every stack's construct id, in one place the catalog can read without importing the stacks."""

NETWORK = "Network"
WEB_TIER = "WebTier"
SERVERLESS_API = "ServerlessApi"
STATIC_SITE = "StaticSite"
STATIC_SITE_OAC = "StaticSiteOac"
AURORA_PRIMARY = "AuroraGlobalPrimary"
AURORA_SECONDARY_PREFIX = "AuroraGlobalSecondary-"
