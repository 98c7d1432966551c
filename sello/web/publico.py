"""Seal pages: publico side."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
