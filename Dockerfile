# Vouchy in a container: the bot runs as a non-root user and keeps everything it must not
# lose (vouchy.db, its WAL, the journal, the snapshots) on the /data volume.
#
#   docker build -t vouchy .
#   docker run -d --name vouchy -e VOUCHY_DISCORD_TOKEN=... -v vouchy-data:/data vouchy
#
# See compose.yaml for the same with Docker Compose, and docs/operations.md for backups,
# restores, upgrades and what to watch in the logs.
FROM python:3.11-slim-bookworm

# PYTHONSAFEPATH: `python -m vouchy` never imports from the working directory (the volume).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONSAFEPATH=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The project and its dependencies, from the version ranges pinned in pyproject.toml; the
# sources are removed once installed. .ci/container-check runs these same steps.
WORKDIR /build
COPY pyproject.toml README.md ./
COPY vouchy ./vouchy
RUN pip install . && cd / && rm -rf /build && python -m vouchy --version

# A user of its own (no login, no shell) that owns /data and nothing else.
RUN groupadd --system --gid 10001 vouchy \
    && useradd --system --uid 10001 --gid vouchy --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin vouchy \
    && mkdir -p /data/snapshots \
    && chown -R vouchy:vouchy /data

# Settings come from the environment (VOUCHY_<SECTION>_<KEY>); a config.toml on the volume
# (/data/config.toml) is read too, since /data is the working directory.
ENV VOUCHY_DATA_DIR=/data VOUCHY_SNAPSHOTS_DIR=/data/snapshots
VOLUME /data
WORKDIR /data
USER 10001:10001

# `run` stops on SIGTERM: it answers what is in flight, flushes the ledger and exits 0.
# Give it time: `docker stop --time 30` (compose: stop_grace_period).
STOPSIGNAL SIGTERM

# Healthy = a fresh heartbeat, a live writer and a verified snapshot younger than two
# snapshot intervals. The start period covers the first scheduled snapshot after a start.
HEALTHCHECK --interval=30s --timeout=10s --start-period=10m --retries=3 \
    CMD ["python", "-m", "vouchy", "health"]

ENTRYPOINT ["python", "-m", "vouchy"]
CMD ["run"]
