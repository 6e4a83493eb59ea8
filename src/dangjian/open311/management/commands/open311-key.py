# `dangjian open311-key ...`: Django finds a command by its module's file name, and a file
# name may hold a hyphen though an import statement may not; this alias keeps the
# spelling of the issue and the docs.
from dangjian.open311.management.commands.open311_key import Command  # noqa: F401
