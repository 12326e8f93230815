namespace Warning.Analytics.Risk.Xgboost;

/// <summary>A dense row-major float matrix handed to XGBoost; NaN marks a missing value.</summary>
public sealed class XgbMatrix : IDisposable
{
    internal DMatrixHandle Handle { get; }

    public int Rows { get; }

    public int Columns { get; }

    public unsafe XgbMatrix(ReadOnlySpan<float> rowMajor, int rows, int columns, ReadOnlySpan<float> labels = default, ReadOnlySpan<float> weights = default)
    {
        if (rows <= 0 || columns <= 0) throw new ArgumentOutOfRangeException(nameof(rows), "a matrix needs at least one row and one column");
        if (rowMajor.Length != (long)rows * columns) throw new ArgumentException($"expected {rows}×{columns} values, got {rowMajor.Length}", nameof(rowMajor));
        if (!labels.IsEmpty && labels.Length != rows) throw new ArgumentException($"expected {rows} labels, got {labels.Length}", nameof(labels));
        if (!weights.IsEmpty && weights.Length != rows) throw new ArgumentException($"expected {rows} weights, got {weights.Length}", nameof(weights));
        nint raw;
        fixed (float* data = rowMajor)
            XgbNative.Check(XgbNative.XGDMatrixCreateFromMat(data, (ulong)rows, (ulong)columns, float.NaN, out raw), nameof(XgbNative.XGDMatrixCreateFromMat));
        Handle = new DMatrixHandle(raw);
        Rows = rows;
        Columns = columns;
        if (!labels.IsEmpty)
            fixed (float* l = labels)
                XgbNative.Check(XgbNative.XGDMatrixSetFloatInfo(Handle, "label", l, (ulong)rows), nameof(XgbNative.XGDMatrixSetFloatInfo));
        if (!weights.IsEmpty)
            fixed (float* w = weights)
                XgbNative.Check(XgbNative.XGDMatrixSetFloatInfo(Handle, "weight", w, (ulong)rows), nameof(XgbNative.XGDMatrixSetFloatInfo));
    }

    public void Dispose() => Handle.Dispose();
}
