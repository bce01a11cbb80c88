# MLflow for infra/compose: the version pinned in infra/versions.json, with the PostgreSQL driver and
# boto3 for an S3-compatible artifact store. Everything comes from PyPI.
ARG PYTHON_IMAGE=python:3.12-slim-bookworm
FROM ${PYTHON_IMAGE}
ARG MLFLOW_VERSION=3.17.2
RUN pip install --no-cache-dir "mlflow==${MLFLOW_VERSION}" psycopg2-binary boto3 \
 && useradd --uid 10002 --home-dir /mlflow --create-home mlflow \
 && install -d -o 10002 -g 10002 /mlflow/artifacts
USER 10002
WORKDIR /mlflow
EXPOSE 5000
