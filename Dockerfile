# Build stage: the release binary. Nothing links a system C library (no libpq; SQLite
# is bundled), so the runtime image needs only libc.
FROM rust:1.95-bookworm AS build
WORKDIR /src

# The dependencies first, built from the manifests alone with an empty source for each
# crate of the workspace: this layer is rebuilt only when a manifest or Cargo.lock
# changes, not at every change of the sources.
COPY Cargo.toml Cargo.lock clippy.toml ./
COPY crates/domain/Cargo.toml crates/domain/
COPY crates/application/Cargo.toml crates/application/
COPY crates/infrastructure/Cargo.toml crates/infrastructure/
COPY crates/identity/Cargo.toml crates/identity/
COPY crates/web/Cargo.toml crates/web/
COPY crates/server/Cargo.toml crates/server/
COPY crates/synthetic/Cargo.toml crates/synthetic/
COPY crates/testkit/Cargo.toml crates/testkit/
RUN for crate in domain application infrastructure identity web server synthetic testkit; do \
      mkdir -p "crates/$crate/src" && touch "crates/$crate/src/lib.rs"; \
    done \
 && echo 'fn main() {}' > crates/server/src/main.rs \
 && for test in crates/infrastructure/tests/adapter_contract crates/synthetic/tests/synthetic crates/server/tests/api; do \
      mkdir -p "$test" && echo 'fn main() {}' > "$test/main.rs"; \
    done \
 && cargo build --release --locked -p customer-server --bin customer-api

# Then the sources. COPY keeps their times, which can be older than the stubs' build:
# touching them makes cargo rebuild the workspace's crates (and only them).
COPY crates crates
COPY migrations migrations
COPY config config
RUN find crates -name '*.rs' -exec touch {} + \
 && cargo build --release --locked -p customer-server --bin customer-api

# Runtime stage: a small image, a non-root user. Migrations are embedded in the binary.
FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --user-group --home-dir /app --create-home customer-api
WORKDIR /app
COPY --from=build /src/target/release/customer-api /usr/local/bin/customer-api
COPY config /app/config
USER 10001:10001
ENV APP_ENV=production
# The API, and /metrics (server.admin_port of config/production.toml).
EXPOSE 8080 9090
ENTRYPOINT ["customer-api"]
CMD ["serve"]
