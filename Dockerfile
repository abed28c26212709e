# Production image: a static-ish yijian binary on Debian slim.
FROM rust:1-bookworm AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends libssl-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
COPY Cargo.toml Cargo.lock askama.toml ./
COPY src ./src
COPY migrations ./migrations
COPY frontend ./frontend
COPY benches ./benches
COPY tests/fixtures ./tests/fixtures
RUN cargo build --release --locked --bin yijian

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl libssl3 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/yijian --create-home yijian
COPY --from=build /src/target/release/yijian /usr/local/bin/yijian
USER yijian
WORKDIR /var/lib/yijian
ENV YIJIAN_BIND=0.0.0.0:8080 \
    YIJIAN_DATA_DIR=/var/lib/yijian/data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/yijian"]
CMD ["serve"]
