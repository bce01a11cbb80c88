#!/bin/sh
# First start of the PostgreSQL container only (docker-entrypoint-initdb.d): MLflow's role and database.
# Temporal's databases are created by temporalio/auto-setup itself.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  --set=password="$MLFLOW_DB_PASSWORD" <<'SQL'
CREATE ROLE mlflow LOGIN PASSWORD :'password';
CREATE DATABASE mlflow OWNER mlflow;
SQL
