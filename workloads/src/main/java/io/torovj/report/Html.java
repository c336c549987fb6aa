package io.torovj.report;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** A small HTML writer: escaped text, relative links, and the report's inline style sheet. */
final class Html {
    private final StringBuilder sb = new StringBuilder(64 * 1024);

    Html raw(String s) {
        sb.append(s);
        return this;
    }

    Html text(String s) {
        sb.append(esc(s));
        return this;
    }

    Html line(String rawHtml) {
        sb.append(rawHtml).append('\n');
        return this;
    }

    /** {@code <tag attrs>escaped text</tag>}. */
    Html el(String tag, String attrs, String text) {
        sb.append('<').append(tag);
        if (attrs != null && !attrs.isEmpty()) {
            sb.append(' ').append(attrs);
        }
        sb.append('>').append(esc(text)).append("</").append(tag).append(">\n");
        return this;
    }

    @Override
    public String toString() {
        return sb.toString();
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** A relative href from {@code fromDir} to {@code target} ('/' separated, percent-escaped). */
    static String href(Path fromDir, Path target) {
        Path rel = fromDir.toAbsolutePath().normalize().relativize(target.toAbsolutePath().normalize());
        StringBuilder b = new StringBuilder();
        for (Path part : rel) {
            if (b.length() > 0) {
                b.append('/');
            }
            b.append(part.toString());
        }
        return escapeUrl(b.toString());
    }

    /** Percent-escapes what a URL path may not hold (spaces, '#', '?', non-ASCII). */
    static String escapeUrl(String path) {
        try {
            return new URI(null, null, path, null).toASCIIString().replace("#", "%23").replace("?", "%3F");
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(path, e);
        }
    }

    /** The report's style sheet (inline: the page must open from disk with no network). */
    static final String CSS = """
            :root { --fg:#1d1d1f; --muted:#5f6368; --line:#d9d9de; --bg:#ffffff; --soft:#f5f6f8; --warn:#8a4b00; }
            * { box-sizing: border-box; }
            body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: var(--fg);
                   background: var(--bg); margin: 0; line-height: 1.45; font-size: 15px; }
            main { max-width: 1360px; margin: 0 auto; padding: 24px 28px 64px; }
            h1 { font-size: 26px; margin: 0 0 4px; }
            h2 { font-size: 20px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
            h3 { font-size: 16px; margin: 22px 0 8px; }
            .sub { color: var(--muted); margin: 0 0 14px; }
            .better { display: inline-block; background: #e8f3ec; color: #1e5631; border-radius: 4px;
                      padding: 2px 8px; font-weight: bold; font-size: 13px; }
            code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; }
            pre { background: var(--soft); border: 1px solid var(--line); padding: 10px 12px; overflow-x: auto; }
            table { border-collapse: collapse; margin: 8px 0 6px; }
            th, td { border: 1px solid var(--line); padding: 6px 9px; vertical-align: top; text-align: left; }
            thead th { background: var(--soft); font-weight: bold; }
            tbody th { background: #fafafb; white-space: nowrap; }
            table.values td { text-align: right; min-width: 110px; max-width: 230px; }
            table.values td.metric, table.values td.label { text-align: left; min-width: 0; color: var(--muted); }
            .v { font-size: 16px; font-weight: bold; white-space: nowrap; }
            .s, .m { font-size: 12px; color: var(--muted); white-space: nowrap; }
            .r { font-size: 12px; color: var(--muted); }
            th .s { font-weight: normal; }
            .scroll { overflow-x: auto; max-width: 100%; }
            .r b { color: var(--fg); }
            td.na, span.na { color: #9a9aa0; font-style: italic; }
            td.baseline { background: #fbfbfc; }
            tr.floor th { font-style: italic; }
            .warn { color: var(--warn); }
            .ok { color: #1e5631; }
            table.values td.what { text-align: left; color: var(--muted); font-size: 13px; min-width: 260px;
                                   max-width: 420px; }
            ul.warnings { background: #fff7ea; border: 1px solid #f1d9b0; padding: 8px 8px 8px 28px; }
            figure { margin: 14px 0 22px; }
            figure img { max-width: 100%; height: auto; border: 1px solid var(--line); }
            figcaption { font-size: 13px; color: var(--muted); max-width: 960px; }
            .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 8px 18px; }
            .skipped { color: var(--muted); font-style: italic; }
            table.env td { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; }
            table.env td.diff { background: #fff3d6; }
            .footer { margin-top: 40px; font-size: 12px; color: var(--muted); }
            """;
}
