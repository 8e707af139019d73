# Build stage: the release binary. Nothing links a system C library (no libpq; SQLite
# is bundled), so the runtime image needs only libc.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock clippy.toml ./
COPY crates crates
COPY tests tests
COPY migrations migrations
COPY config config
RUN cargo build --release --locked -p customer-web --bin customer-api \
 && strip target/release/customer-api

# Runtime stage: a small image, a non-root user. Migrations are embedded in the binary.
FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --user-group --home-dir /app --create-home customer-api
WORKDIR /app
COPY --from=build /src/target/release/customer-api /usr/local/bin/customer-api
COPY config /app/config
USER customer-api
ENV APP_ENV=production
EXPOSE 8080
ENTRYPOINT ["customer-api"]
CMD ["serve"]
