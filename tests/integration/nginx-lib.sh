# SPDX-License-Identifier: MIT
# A real nginx on 127.0.0.1 for tests and the demo (sourced). Everything it
# needs lives in one directory: its config, a test CA and a server
# certificate made here with openssl, logs, pid and temp files. Nothing is
# reached but loopback.
#
#   . tests/integration/nginx-lib.sh
#   nginx_start DIR ROOT [EXTRA]   serve ROOT over http and https; EXTRA is
#                                  nginx config put in both server blocks
#                                  (locations); the literal @HTTP_PORT@ and
#                                  @HTTPS_PORT@ in it are replaced
#   nginx_stop DIR
#   nginx_free_port                a free TCP port on 127.0.0.1
#
# After nginx_start: NGINX_HTTP_PORT, NGINX_HTTPS_PORT, NGINX_HTTP
# (http://127.0.0.1:PORT), NGINX_HTTPS (https://127.0.0.1:PORT), NGINX_CA
# (the CA certificate to trust). Returns non-zero, after printing the error
# log, when nginx does not start. nginx runs with master_process off as the
# calling user, so it reads the test's private directories as they are.

# Not $NGINX: nginx reads that variable (inherited sockets of a binary
# upgrade) and then does not go into the background.
NGINX_BIN=${NGINX_BIN:-$(command -v nginx || echo /usr/sbin/nginx)}
OPENSSL=${OPENSSL:-$(command -v openssl)}

nginx_free_port() {
        "${PYTHON3:-python3}" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# nginx_make_cert DIR: DIR/ca.pem (the CA), DIR/server.pem + server.key for
# 127.0.0.1, ::1 and localhost, signed by the CA.
nginx_make_cert() {
        local d=$1
        [ -s "$d/server.pem" ] && return 0
        "$OPENSSL" req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
                -subj "/CN=permit test CA" -keyout "$d/ca.key" -out "$d/ca.pem" \
                -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
                >/dev/null 2>&1 || return 1
        "$OPENSSL" req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
                -keyout "$d/server.key" -out "$d/server.csr" >/dev/null 2>&1 || return 1
        printf 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
                >"$d/server.ext"
        "$OPENSSL" x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
                -extfile "$d/server.ext" -out "$d/server.pem" >/dev/null 2>&1 || return 1
}

nginx_start() {
        local d=$1 root=$2 extra=${3:-} i
        mkdir -p "$d/tmp" || return 1
        nginx_make_cert "$d" || { echo "nginx_start: openssl could not make the test certificates" >&2; return 1; }
        NGINX_HTTP_PORT=$(nginx_free_port) && NGINX_HTTPS_PORT=$(nginx_free_port) || return 1
        extra=${extra//@HTTP_PORT@/$NGINX_HTTP_PORT}
        extra=${extra//@HTTPS_PORT@/$NGINX_HTTPS_PORT}
        cat >"$d/nginx.conf" <<EOF
daemon on;
master_process off;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 128; }
http {
        access_log $d/access.log;
        client_body_temp_path $d/tmp/body;
        proxy_temp_path $d/tmp/proxy;
        fastcgi_temp_path $d/tmp/fastcgi;
        uwsgi_temp_path $d/tmp/uwsgi;
        scgi_temp_path $d/tmp/scgi;
        types { application/json json; application/zip zip; }
        default_type application/octet-stream;
        keepalive_timeout 5;
        server {
                listen 127.0.0.1:$NGINX_HTTP_PORT;
                server_name localhost;
                root $root;
                $extra
        }
        server {
                listen 127.0.0.1:$NGINX_HTTPS_PORT ssl;
                server_name localhost;
                ssl_certificate $d/server.pem;
                ssl_certificate_key $d/server.key;
                root $root;
                $extra
        }
}
EOF
        "$NGINX_BIN" -p "$d" -c "$d/nginx.conf" -e "$d/error.log" 2>>"$d/error.log" || {
                echo "nginx_start: nginx did not start:" >&2
                sed 's/^/  /' "$d/error.log" >&2
                return 1
        }
        # Wait until it answers (it forks into the background).
        for i in $(seq 50); do
                "${PYTHON3:-python3}" -c 'import socket,sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2)' "$NGINX_HTTP_PORT" 2>/dev/null && break
                sleep 0.1
        done
        NGINX_HTTP=http://127.0.0.1:$NGINX_HTTP_PORT
        NGINX_HTTPS=https://127.0.0.1:$NGINX_HTTPS_PORT
        NGINX_CA=$d/ca.pem
        export NGINX_HTTP_PORT NGINX_HTTPS_PORT NGINX_HTTP NGINX_HTTPS NGINX_CA
}

nginx_stop() {
        local d=$1 pid i
        [ -s "$d/nginx.pid" ] || return 0
        pid=$(cat "$d/nginx.pid")
        kill "$pid" 2>/dev/null || return 0
        for i in $(seq 50); do
                kill -0 "$pid" 2>/dev/null || return 0
                sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null
        return 0
}
