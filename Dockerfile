# Multi-stage build: static binaries on a distroless, non-root base.
#   docker build -t chatlake .
# The image holds chatlake (the entrypoint), producer, exporter and imsim.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/ ./cmd/... && mkdir -p /lake

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ /usr/local/bin/
# The lake folder belongs to the non-root user, so a fresh named volume
# mounted there is writable by the exporter.
COPY --from=build --chown=65532:65532 /lake /lake
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/chatlake"]
