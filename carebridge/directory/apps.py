from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "carebridge.directory"
    verbose_name = "Directory"
