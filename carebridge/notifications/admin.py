from django.contrib import admin

from carebridge.core.admin_site import ReadOnlyAdmin
from carebridge.notifications.models import (
    DeliveryAttempt,
    InboundMessage,
    MessageTemplate,
    OutboundMessage,
)


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ["started_at", "finished_at", "worker", "outcome", "error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "channel", "to_address", "status", "attempts", "due_at"]
    list_filter = ["organization", "status", "channel", "kind"]
    search_fields = ["idempotency_key", "to_address", "topic_id"]
    date_hierarchy = "created_at"
    inlines = [DeliveryAttemptInline]


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "message", "worker", "outcome"]
    list_filter = ["outcome"]


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "channel", "from_address", "organization", "handled_as"]
    list_filter = ["organization", "channel", "handled_as", "needs_attention"]
    search_fields = ["from_address", "provider_message_id"]


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["organization", "kind", "language", "channel", "updated_at"]
    list_filter = ["organization", "kind", "language", "channel"]
