#!/usr/bin/env bash
# Installs the Prometheus server binary for the metric-gate tests (Debian/Ubuntu, run as root or
# with sudo). Idempotent: does nothing when `prometheus` is already on PATH. Does not start the
# system service: the tests run their own instance on a free loopback port.
set -euo pipefail

if command -v prometheus >/dev/null 2>&1; then
  echo "prometheus already installed: $(command -v prometheus) ($(prometheus --version 2>&1 | head -n1))"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: apt-get not found; install Prometheus (>= 2.x, with promtool) by hand and put it on PATH" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "error: must run as root (or have sudo) to apt-get install prometheus" >&2
    exit 1
  fi
fi

# policy-rc.d exit code 101 tells invoke-rc.d not to start services during the install.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod +x "$policy"
  created_policy=1
fi
cleanup() { if [ "$created_policy" = 1 ]; then $SUDO rm -f "$policy"; fi; }
trap cleanup EXIT

if ! $SUDO apt-get update; then
  echo "error: apt-get update failed; check network access to the Debian/Ubuntu mirrors" >&2
  exit 1
fi
if ! $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus; then
  echo "error: apt-get install prometheus failed (see above)" >&2
  exit 1
fi
# Some images start the service anyway (systemd present): stop it, the tests need no daemon.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  $SUDO systemctl stop prometheus >/dev/null 2>&1 || true
  $SUDO systemctl disable prometheus >/dev/null 2>&1 || true
fi

if ! command -v prometheus >/dev/null 2>&1; then
  echo "error: prometheus is still not on PATH after the install" >&2
  exit 1
fi
echo "installed: $(prometheus --version 2>&1 | head -n1)"
