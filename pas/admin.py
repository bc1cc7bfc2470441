"""Administrators register SMART Backend Services clients per provider organization (their
public keys and the organization user they act as) and see PAS subscriptions."""

from django.contrib import admin

from .models import PasSubscription, SmartClient


@admin.register(SmartClient)
class SmartClientAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "client_id", "acts_as", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("name", "client_id", "organization__name", "organization__npi")
    readonly_fields = ("client_id", "created_at")
    raw_id_fields = ("organization", "acts_as")


@admin.register(PasSubscription)
class PasSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("organization", "endpoint", "content", "status", "events_since_start", "last_sent_at")
    list_filter = ("status", "content")
    readonly_fields = ("events_since_start", "last_sent_at", "error", "created_at")
    raw_id_fields = ("organization", "created_by")
