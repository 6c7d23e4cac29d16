import { escapeHtml, html, SafeHtml } from "./html.js";

describe("html template", () => {
  it("escapes every interpolated string, in text and in quoted attributes", () => {
    const hostile = `<script>alert("x")</script>' onload='y' &amp;`;
    const out = html`<p title="${hostile}">${hostile}</p>`.value;
    expect(out).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onload=&#39;y&#39; &amp;amp;">' +
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onload=&#39;y&#39; &amp;amp;</p>",
    );
  });

  it("passes nested templates through, joins arrays, and drops null, undefined and false", () => {
    const items = ["a<", "b>"].map((item) => html`<li>${item}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.value).toBe(
      "<ul><li>a&lt;</li><li>b&gt;</li></ul>0",
    );
    expect(html`${new SafeHtml("<b>ours</b>")}`.value).toBe("<b>ours</b>");
  });

  it("escapes the five characters that matter and nothing else", () => {
    expect(escapeHtml(`&<>"'`)).toBe("&amp;&lt;&gt;&quot;&#39;");
    expect(escapeHtml("plain text / é ✓")).toBe("plain text / é ✓");
  });
});
