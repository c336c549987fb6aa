package io.torovj.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The server's HTTP API, on the JDK's built-in server, JSON by Jackson:
 * <pre>
 * POST   /functions/NAME/invoke   body = the guest's stdin; response body = its stdout, the rest as
 *                                 X-Torovj-* headers, or all of it as JSON with ?format=json or
 *                                 Accept: application/json
 * GET    /functions               the definitions, with their pools' occupancy
 * GET    /functions/NAME          one definition
 * PUT    /functions/NAME          define or replace (body: a definition, see {@link DefinitionReader})
 * DELETE /functions/NAME          stop serving it
 * GET    /metrics                 Prometheus text format
 * </pre>
 * An invocation answers 200 when the guest exited (whatever its status), 502 when it faulted or
 * was killed, 504 when a limit stopped it, 429 when the queue is full, 503 when the function is
 * shutting down. Errors are one-line JSON: {@code {"error": "..."}}; 400 bad input, 404 unknown
 * function or path, 405 wrong method, 413 oversized body.
 */
public final class HttpApi implements AutoCloseable {
    /** Largest PUT body. */
    private static final int MAX_DEFINITION = DefinitionReader.MAX_TEXT;
    /** Stderr carried in a header, at most (the JSON form carries all of it, up to maxStderr). */
    private static final int STDERR_HEADER_CHARS = 1024;
    /** Beyond an invocation's own timeout, how long a request waits for its worker before giving up. */
    private static final long GRACE_MILLIS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService handlers;
    private final FunctionRegistry registry;
    private final Path workingDir;

    private HttpApi(HttpServer server, ExecutorService handlers, FunctionRegistry registry, Path workingDir) {
        this.server = server;
        this.handlers = handlers;
        this.registry = registry;
        this.workingDir = workingDir;
    }

    /**
     * Listens on {@code address} (port 0: any free port) and serves {@code registry}; relative
     * paths in PUT definitions resolve against {@code workingDir}.
     */
    public static HttpApi start(InetSocketAddress address, FunctionRegistry registry, Path workingDir) throws IOException {
        // The JDK server writes a response's headers and body separately; with Nagle's algorithm on, the
        // body then waits for the client's delayed ACK (~40 ms on Linux). Its only switch is this
        // property, read once when the server's configuration class loads: set it before the first server.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(address, 128);
        // a request waits for its invocation on a handler thread; admission bounds how many wait
        ExecutorService handlers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "torovj-http");
            t.setDaemon(true);
            return t;
        });
        HttpApi api = new HttpApi(server, handlers, registry, workingDir);
        server.setExecutor(handlers);
        server.createContext("/", api::handle);
        server.start();
        return api;
    }

    /** The address it listens on (the real port when started with 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            try {
                route(ex);
            } catch (HttpError e) {
                error(ex, e.status, e.getMessage(), e.allow);
            } catch (RuntimeException e) {
                error(ex, 500, "internal error: " + e, null);
            }
        } finally {
            ex.close();
        }
    }

    private void route(HttpExchange ex) throws IOException, HttpError {
        String path = ex.getRequestURI().getRawPath();
        String method = ex.getRequestMethod();
        if (path.equals("/metrics")) {
            allow(method, "GET");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            registry.metrics().write(out);
            send(ex, 200, registry.metrics().contentType(), out.toByteArray());
            return;
        }
        if (path.equals("/functions") || path.equals("/functions/")) {
            allow(method, "GET");
            ArrayNode list = JSON.createArrayNode();
            for (FunctionPool p : registry.pools()) list.add(describe(p));
            sendJson(ex, 200, list);
            return;
        }
        if (!path.startsWith("/functions/")) throw new HttpError(404, "no such path: " + excerpt(path));
        // while draining the functions are gone from the registry: say why, not "no such function"
        if (registry.closed()) throw new HttpError(503, "the server is shutting down");
        String rest = path.substring("/functions/".length());
        int slash = rest.indexOf('/');
        String name = URLDecoder.decode(slash < 0 ? rest : rest.substring(0, slash), StandardCharsets.UTF_8);
        String action = slash < 0 ? "" : rest.substring(slash + 1);
        switch (action) {
            case "" -> function(ex, method, name);
            case "invoke" -> {
                allow(method, "POST");
                invoke(ex, name);
            }
            default -> throw new HttpError(404, "no such path: " + excerpt(path));
        }
    }

    private void function(HttpExchange ex, String method, String name) throws IOException, HttpError {
        switch (method) {
            case "GET" -> sendJson(ex, 200, describe(pool(name)));
            case "PUT" -> {
                byte[] body = readBody(ex, MAX_DEFINITION);
                FunctionDefinition def;
                boolean replaced;
                try {
                    def = DefinitionReader.readOne(new String(body, StandardCharsets.UTF_8), "PUT /functions/" + name, name,
                            workingDir, registry.settings().transports());
                    replaced = registry.define(def);
                } catch (DefinitionException e) {
                    throw new HttpError(400, e.getMessage());
                }
                ObjectNode o = describe(registry.pool(name).orElseThrow());
                o.put("replaced", replaced);
                sendJson(ex, replaced ? 200 : 201, o);
            }
            case "DELETE" -> {
                if (!registry.delete(name)) throw unknown(name);
                ex.sendResponseHeaders(204, -1);
            }
            default -> throw new HttpError(405, "method " + method + " not allowed here; allowed: GET, PUT, DELETE", "GET, PUT, DELETE");
        }
    }

    private void invoke(HttpExchange ex, String name) throws IOException, HttpError {
        FunctionPool pool = pool(name);
        byte[] body = readBody(ex, pool.definition().limits().maxInput());
        CompletableFuture<InvocationResult> pending;
        try {
            pending = pool.submit(body);
        } catch (RefusedException e) {
            if (e.reason() == RefusedException.Reason.QUEUE_FULL) ex.getResponseHeaders().set("Retry-After", "1");
            throw new HttpError(e.reason() == RefusedException.Reason.QUEUE_FULL ? 429 : 503, e.getMessage());
        }
        InvocationResult r;
        try {
            r = pending.get(pool.definition().limits().timeout().toMillis() + GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpError(503, "the server is shutting down");
        } catch (ExecutionException | TimeoutException e) {
            throw new HttpError(500, "the invocation got no answer from its VM: " + e);
        }
        int status = switch (r.ending()) {
            case EXITED -> 200;
            case TIME_LIMIT -> 504;
            case MONITOR_ERROR -> 500;
            default -> 502;
        };
        if (wantsJson(ex)) {
            ObjectNode o = JSON.createObjectNode();
            o.put("function", name);
            o.put("ending", r.ending().name());
            o.put("status", r.status());
            if (r.report() != null) o.put("report", r.report());
            o.put("stdout", new String(r.stdout(), StandardCharsets.UTF_8));
            o.put("stderr", new String(r.stderr(), StandardCharsets.UTF_8));
            o.put("durationMicros", r.runNanos() / 1000);
            o.put("queueMicros", r.queueNanos() / 1000);
            o.put("vmExits", r.vcpuExits());
            o.put("syscalls", r.syscalls());
            ObjectNode counters = o.putObject("transportCounters");
            r.transportCounters().forEach(counters::put);
            sendJson(ex, status, o);
            return;
        }
        var h = ex.getResponseHeaders();
        h.set("X-Torovj-Ending", r.ending().name());
        h.set("X-Torovj-Status", Integer.toString(r.status()));
        h.set("X-Torovj-Duration-Micros", Long.toString(r.runNanos() / 1000));
        h.set("X-Torovj-Queue-Micros", Long.toString(r.queueNanos() / 1000));
        h.set("X-Torovj-Vm-Exits", Long.toString(r.vcpuExits()));
        h.set("X-Torovj-Syscalls", Long.toString(r.syscalls()));
        if (!r.transportCounters().isEmpty()) h.set("X-Torovj-Counters", counters(r.transportCounters()));
        if (r.report() != null) h.set("X-Torovj-Report", headerSafe(r.report(), STDERR_HEADER_CHARS));
        if (r.stderr().length > 0) h.set("X-Torovj-Stderr", headerSafe(new String(r.stderr(), StandardCharsets.UTF_8), STDERR_HEADER_CHARS));
        send(ex, status, "application/octet-stream", r.stdout());
    }

    private FunctionPool pool(String name) throws HttpError {
        return registry.pool(name).orElseThrow(() -> unknown(name));
    }

    private static HttpError unknown(String name) {
        return new HttpError(404, "no function named \"" + excerpt(name) + "\"");
    }

    private static ObjectNode describe(FunctionPool p) {
        FunctionDefinition d = p.definition();
        ObjectNode o = JSON.createObjectNode();
        o.put("name", d.name());
        o.put("program", d.program().toString());
        o.set("args", JSON.valueToTree(d.args()));
        o.set("env", JSON.valueToTree(d.env()));
        o.put("policy", d.policySource());
        o.put("transport", d.transport());
        o.set("transportOptions", JSON.valueToTree(d.transportOptions()));
        o.put("memory", d.memory());
        o.put("pool", d.pool());
        ObjectNode l = o.putObject("limits");
        l.put("queue", d.limits().queue());
        l.put("maxInput", d.limits().maxInput());
        l.put("maxOutput", d.limits().maxOutput());
        l.put("maxStderr", d.limits().maxStderr());
        l.put("timeout", d.limits().timeout().toMillis() + "ms");
        ObjectNode s = o.putObject("vms");
        s.put("ready", p.ready());
        s.put("busy", p.busy());
        s.put("queued", p.queued());
        return o;
    }

    private static void allow(String method, String allowed) throws HttpError {
        if (!method.equals(allowed)) {
            throw new HttpError(405, "method " + method + " not allowed here; allowed: " + allowed, allowed);
        }
    }

    /**
     * The request body, at most {@code max} bytes: larger is a 413, before or while reading it
     * (closing the exchange then drops the rest of the body, as the JDK server does).
     */
    private static byte[] readBody(HttpExchange ex, int max) throws IOException, HttpError {
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            long n;
            try {
                n = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                throw new HttpError(400, "bad Content-Length \"" + excerpt(length) + "\"");
            }
            if (n > max) {
                throw new HttpError(413, "the body of " + n + " bytes exceeds the limit of " + max + " bytes");
            }
        }
        InputStream in = ex.getRequestBody();
        byte[] body = in.readNBytes(max);
        if (in.read() >= 0) {
            throw new HttpError(413, "the body exceeds the limit of " + max + " bytes");
        }
        return body;
    }

    private static boolean wantsJson(HttpExchange ex) {
        String query = ex.getRequestURI().getRawQuery();
        if (query != null) {
            for (String p : query.split("&")) if (p.equals("format=json")) return true;
        }
        String accept = ex.getRequestHeaders().getFirst("Accept");
        return accept != null && accept.contains("application/json");
    }

    private static String counters(Map<String, Long> counters) {
        StringBuilder b = new StringBuilder();
        counters.forEach((k, v) -> b.append(b.length() == 0 ? "" : ",").append(k).append('=').append(v));
        return b.toString();
    }

    /** {@code s} as a header value: control characters escaped as in JSON, at most {@code max} characters. */
    private static String headerSafe(String s, int max) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            if (c == '\n') b.append("\\n");
            else if (c == '\\') b.append("\\\\");
            else if (c < 0x20 || c == 0x7f || c > 0x7e) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.toString();
    }

    private static void sendJson(HttpExchange ex, int status, Object value) throws IOException {
        send(ex, status, "application/json", JSON.writeValueAsBytes(value));
    }

    private static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static void error(HttpExchange ex, int status, String message, String allow) throws IOException {
        if (allow != null) ex.getResponseHeaders().set("Allow", allow);
        ObjectNode o = JSON.createObjectNode();
        o.put("error", message.replaceAll("[\\r\\n]+", " "));
        sendJson(ex, status, o);
    }

    private static String excerpt(String s) {
        String one = s.replaceAll("\\p{Cntrl}", "?");
        return one.length() <= 80 ? one : one.substring(0, 77) + "...";
    }

    /** Stops listening; requests in progress get up to a second to finish. */
    @Override
    public void close() {
        server.stop(1);
        handlers.shutdownNow();
    }

    /** A request that ends with an error status and a one-line JSON message. */
    private static final class HttpError extends Exception {
        final int status;
        final String allow;

        HttpError(int status, String message) {
            this(status, message, null);
        }

        HttpError(int status, String message, String allow) {
            super(message, null, false, false);
            this.status = status;
            this.allow = allow;
        }
    }
}
