"""Seal pages: sermig side."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
