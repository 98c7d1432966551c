"""Seal pages: municipal side."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
