using System.Runtime.InteropServices;

namespace Warning.Analytics.Risk.Xgboost;

/// <summary>
/// A gradient-boosted tree model. Prediction is serialised per booster: the C API hands back a pointer into a buffer
/// the learner owns (overwritten by the next call) and configures itself lazily on the first prediction, and the 1.6/1.7
/// C API documentation does not promise that <c>XGBoosterPredictFromDMatrix</c> is safe to call concurrently on one
/// booster. So one lock per booster, and every result is copied into managed memory before the lock is released.
/// Different boosters predict in parallel.
/// </summary>
public sealed class XgbBooster : IDisposable
{
    private readonly BoosterHandle _handle;
    private readonly object _gate = new();

    private XgbBooster(BoosterHandle handle, int features)
    {
        _handle = handle;
        Features = features;
    }

    public int Features { get; }

    /// <summary>The library's version, e.g. (1, 6, 2) for Debian bookworm's libxgboost0.</summary>
    public static unsafe (int Major, int Minor, int Patch) LibraryVersion()
    {
        int major, minor, patch;
        XgbNative.XGBoostVersion(&major, &minor, &patch);
        return (major, minor, patch);
    }

    /// <summary>Trains <paramref name="rounds"/> boosting rounds on <paramref name="train"/> with the given parameters.</summary>
    public static XgbBooster Train(XgbMatrix train, IReadOnlyDictionary<string, string> parameters, int rounds, Action<int>? onRound = null)
    {
        var booster = Create(train);
        try
        {
            foreach (var (name, value) in parameters)
                XgbNative.Check(XgbNative.XGBoosterSetParam(booster._handle, name, value), $"{nameof(XgbNative.XGBoosterSetParam)}({name})");
            for (var i = 0; i < rounds; i++)
            {
                XgbNative.Check(XgbNative.XGBoosterUpdateOneIter(booster._handle, i, train.Handle), nameof(XgbNative.XGBoosterUpdateOneIter));
                onRound?.Invoke(i + 1);
            }
            return booster;
        }
        catch
        {
            booster.Dispose();
            throw;
        }
    }

    /// <summary>Loads a model saved by <see cref="SaveJson"/>.</summary>
    public static unsafe XgbBooster LoadJson(byte[] json, int features)
    {
        nint raw;
        XgbNative.Check(XgbNative.XGBoosterCreate(null, 0, out raw), nameof(XgbNative.XGBoosterCreate));
        var booster = new XgbBooster(new BoosterHandle(raw), features);
        try
        {
            fixed (byte* p = json)
                XgbNative.Check(XgbNative.XGBoosterLoadModelFromBuffer(booster._handle, p, (ulong)json.Length), nameof(XgbNative.XGBoosterLoadModelFromBuffer));
            return booster;
        }
        catch
        {
            booster.Dispose();
            throw;
        }
    }

    /// <summary>The model as XGBoost's JSON document (trees and learner parameters; not the training data).</summary>
    public unsafe byte[] SaveJson()
    {
        lock (_gate)
        {
            XgbNative.Check(XgbNative.XGBoosterSaveModelToBuffer(_handle, """{"format": "json"}""", out var length, out var buffer),
                nameof(XgbNative.XGBoosterSaveModelToBuffer));
            return new ReadOnlySpan<byte>(buffer, checked((int)length)).ToArray();
        }
    }

    /// <summary>Sets a learner parameter after training or loading, e.g. <c>nthread</c> for prediction.</summary>
    public void SetParameter(string name, string value)
    {
        lock (_gate) XgbNative.Check(XgbNative.XGBoosterSetParam(_handle, name, value), $"{nameof(XgbNative.XGBoosterSetParam)}({name})");
    }

    /// <summary>Probabilities (binary:logistic), one per row.</summary>
    public float[] PredictProbability(XgbMatrix matrix) => Predict(matrix, type: 0, expectedColumns: 1);

    /// <summary>Raw scores on the log-odds scale, one per row.</summary>
    public float[] PredictMargin(XgbMatrix matrix) => Predict(matrix, type: 1, expectedColumns: 1);

    /// <summary>
    /// SHAP contributions on the log-odds scale: per row <c>Features + 1</c> values, the last being the bias (expected
    /// margin); each row sums to that row's margin.
    /// </summary>
    public float[] PredictContributions(XgbMatrix matrix) => Predict(matrix, type: 2, expectedColumns: Features + 1);

    private unsafe float[] Predict(XgbMatrix matrix, int type, int expectedColumns)
    {
        if (matrix.Columns != Features) throw new ArgumentException($"model has {Features} features, matrix has {matrix.Columns}", nameof(matrix));
        var config = $$"""{"type": {{type}}, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false}""";
        lock (_gate)
        {
            XgbNative.Check(XgbNative.XGBoosterPredictFromDMatrix(_handle, matrix.Handle, config, out var shape, out var dims, out var result),
                nameof(XgbNative.XGBoosterPredictFromDMatrix));
            long total = 1;
            for (ulong d = 0; d < dims; d++) total *= (long)shape[d];
            if (total != (long)matrix.Rows * expectedColumns)
                throw new XgboostException(nameof(XgbNative.XGBoosterPredictFromDMatrix), $"expected {matrix.Rows}×{expectedColumns} outputs, got {total}");
            // The buffer belongs to the learner and is reused by the next call: copy before releasing the lock.
            return new ReadOnlySpan<float>(result, checked((int)total)).ToArray();
        }
    }

    private static unsafe XgbBooster Create(XgbMatrix train)
    {
        var raw = train.Handle.DangerousGetHandle();
        XgbNative.Check(XgbNative.XGBoosterCreate(&raw, 1, out var handle), nameof(XgbNative.XGBoosterCreate));
        GC.KeepAlive(train);
        return new XgbBooster(new BoosterHandle(handle), train.Columns);
    }

    public void Dispose() => _handle.Dispose();
}
