using System.Globalization;
using System.Text;
using System.Net;

namespace Warning.Analytics.Reports;

/// <summary>
/// Charts drawn as SVG on the server, so a printed pack and its PDF have them without a browser running scripts.
/// Presentation attributes only (no style attributes): the pages' CSP admits no inline style.
/// </summary>
public static class SvgCharts
{
    public static readonly string[] Palette =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939"];

    private static string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>Stacked bars, one per bucket, one colour per series; labels under every few bars.</summary>
    public static string StackedBars(IReadOnlyList<string> labels, IReadOnlyList<(string Name, IReadOnlyList<int> Values)> series, string title, int width = 680, int height = 240)
    {
        const int left = 40, bottom = 28, top = 10;
        var plotW = width - left - 10;
        var plotH = height - bottom - top;
        var totals = Enumerable.Range(0, labels.Count).Select(i => series.Sum(s => s.Values[i])).ToArray();
        var max = Math.Max(1, totals.DefaultIfEmpty(0).Max());
        var step = NiceStep(max);
        var scaleMax = Math.Ceiling(max / step) * step;
        var bw = labels.Count == 0 ? 0 : (double)plotW / labels.Count;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{WebUtility.HtmlEncode(title)}\">");
        for (var y = 0.0; y <= scaleMax; y += step)
        {
            var py = top + plotH - y / scaleMax * plotH;
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" x2=\"{width - 10}\" y1=\"{N(py)}\" y2=\"{N(py)}\" stroke=\"#ddd\" stroke-width=\"1\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 4}\" y=\"{N(py + 4)}\" font-size=\"10\" text-anchor=\"end\" fill=\"#555\">{N(y)}</text>");
        }
        var every = Math.Max(1, (int)Math.Ceiling(labels.Count / 12.0));
        for (var i = 0; i < labels.Count; i++)
        {
            var x = left + i * bw;
            var acc = 0.0;
            for (var s = 0; s < series.Count; s++)
            {
                var v = series[s].Values[i];
                if (v == 0) continue;
                var h = v / scaleMax * plotH;
                var y = top + plotH - acc - h;
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{N(x + bw * 0.1)}\" y=\"{N(y)}\" width=\"{N(Math.Max(bw * 0.8, 0.5))}\" height=\"{N(h)}\" fill=\"{Palette[s % Palette.Length]}\"><title>{WebUtility.HtmlEncode(labels[i])} {WebUtility.HtmlEncode(series[s].Name)}: {v}</title></rect>");
                acc += h;
            }
            if (i % every == 0)
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(x + bw / 2)}\" y=\"{height - bottom + 14}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#555\">{WebUtility.HtmlEncode(labels[i])}</text>");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" x2=\"{width - 10}\" y1=\"{top + plotH}\" y2=\"{top + plotH}\" stroke=\"#333\" stroke-width=\"1\"/>");
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>A small line for a table cell.</summary>
    public static string Sparkline(IReadOnlyList<int> values, int width = 90, int height = 20)
    {
        if (values.Count == 0) return "";
        var max = Math.Max(1, values.Max());
        var dx = values.Count == 1 ? 0 : (double)(width - 2) / (values.Count - 1);
        var points = string.Join(' ', values.Select((v, i) => $"{N(1 + i * dx)},{N(height - 1 - (double)v / max * (height - 2))}"));
        return $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"spark\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\"><polyline points=\"{points}\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\"/></svg>";
    }

    private static double NiceStep(double max)
    {
        var raw = max / 4;
        var mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var f = raw / mag;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
    }
}
