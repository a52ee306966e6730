import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Markdown, parseBlocks, safeHref } from "./markdown";

const html = (src: string) => render(<Markdown source={src} />).container.firstElementChild?.innerHTML;

describe("Markdown", () => {
  it("renders the message subset", () => {
    expect(html("# Title\n\nSome **bold**, *em*, ~~gone~~ and `code`.")).toBe(
      "<h1>Title</h1><p>Some <strong>bold</strong>, <em>em</em>, <del>gone</del> and <code>code</code>.</p>",
    );
    expect(html("- one\n- two\n\n1. first\n2. second")).toBe(
      "<ul><li>one</li><li>two</li></ul><ol><li>first</li><li>second</li></ol>",
    );
    expect(html("3. third\n4. fourth")).toBe('<ol start="3"><li>third</li><li>fourth</li></ol>');
    expect(html("> quoted\n> still\n\n---\n\n```\nx < 1\n```")).toBe(
      "<blockquote><p>quoted\nstill</p></blockquote><hr><pre><code>x &lt; 1</code></pre>",
    );
  });

  it("keeps raw HTML as text and drops unsafe links", () => {
    const out = html(
      '<script>alert(1)</script> <img src=x onerror="alert(1)">\n\n[click](javascript:alert(1))',
    );
    expect(out).not.toContain("<script");
    expect(out).not.toContain("<img");
    expect(out).toContain("&lt;script&gt;");
    expect(out).not.toContain("href");
    expect(out).toContain("click");
    expect(html("[x](data:text/html,hi) ![img](https://e.test/a.png)")).toBe("<p>x img</p>");
  });

  it("links http, https and mailto", () => {
    const out = html(
      "See [the docs](https://example.test/a?b=1), mail [us](mailto:hr@example.test) or https://example.test/x.",
    );
    expect(out).toContain(
      '<a href="https://example.test/a?b=1" rel="nofollow noreferrer noopener" target="_blank">the docs</a>',
    );
    expect(out).toContain('<a href="mailto:hr@example.test" rel="nofollow noreferrer noopener">us</a>');
    expect(out).toContain(
      '<a href="https://example.test/x" rel="nofollow noreferrer noopener" target="_blank">https://example.test/x</a>.',
    );
  });

  it("parses nested blocks", () => {
    expect(parseBlocks("- a\n  more\n- b")).toEqual([
      {
        kind: "list",
        ordered: false,
        start: 1,
        items: [[{ kind: "p", text: "a\nmore" }], [{ kind: "p", text: "b" }]],
      },
    ]);
    expect(parseBlocks("## Sub ##")).toEqual([{ kind: "h", level: 2, text: "Sub" }]);
    expect(parseBlocks("text\n# head")).toEqual([
      { kind: "p", text: "text" },
      { kind: "h", level: 1, text: "head" },
    ]);
  });

  it("checks link schemes", () => {
    expect(safeHref("https://a.test")).toBe("https://a.test");
    expect(safeHref("JavaScript:alert(1)")).toBe("");
    expect(safeHref("/relative")).toBe("");
    expect(safeHref("http://")).toBe("");
  });
});

describe("Markdown images", () => {
  it("shows only same-origin images of the given path", () => {
    const out = render(
      <Markdown
        source={
          "![plan](/api/v1/announcement-files/anf_1) ![x](https://e.test/a.png) ![y](/api/v1/announcement-files/../x)"
        }
        imagePrefix="/api/v1/announcement-files/"
      />,
    ).container.firstElementChild?.innerHTML;
    expect(out).toBe('<p><img alt="plan" src="/api/v1/announcement-files/anf_1"> x y</p>');
  });
});
