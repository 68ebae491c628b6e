using System.Numerics;

namespace Mxfp4.Core.Verification;

/// <summary>
/// Running statistics of a − b over pairs of float32 spans, vectorized: equality and NaN/Inf counts in float lanes,
/// differences in float64 lanes so that |a − b| of two floats is computed without a second rounding.
/// </summary>
internal struct DifferenceAccumulator
{
    /// <summary>Elements one <see cref="Add"/> may take: keeps the 32-bit lane counters from overflowing.</summary>
    public const int MaxSpan = 1 << 24;

    public long Elements;
    public long Different;
    public long FiniteBoth;
    public long ReferenceNaN;
    public long ReferenceInfinity;
    public long DifferenceNaN;
    public long DifferenceInfinity;
    public double MaxAbs;
    public double MaxRel;
    public double SumSquares;
    public bool NonFiniteMismatch;

    public void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length || a.Length > MaxSpan)
        {
            throw new ArgumentException("The spans must have the same length, at most MaxSpan.", nameof(b));
        }

        Elements += a.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<float>.Count)
        {
            i = AddVectors(a, b);
        }

        for (; i < a.Length; i++)
        {
            AddOne(a[i], b[i]);
        }
    }

    public void Merge(in DifferenceAccumulator other)
    {
        Elements += other.Elements;
        Different += other.Different;
        FiniteBoth += other.FiniteBoth;
        ReferenceNaN += other.ReferenceNaN;
        ReferenceInfinity += other.ReferenceInfinity;
        DifferenceNaN += other.DifferenceNaN;
        DifferenceInfinity += other.DifferenceInfinity;
        MaxAbs = Math.Max(MaxAbs, other.MaxAbs);
        MaxRel = Math.Max(MaxRel, other.MaxRel);
        SumSquares += other.SumSquares;
        NonFiniteMismatch |= other.NonFiniteMismatch;
    }

    private void AddOne(float x, float y)
    {
        bool xNaN = float.IsNaN(x);
        bool yNaN = float.IsNaN(y);
        ReferenceNaN += xNaN ? 1 : 0;
        DifferenceNaN += yNaN ? 1 : 0;
        ReferenceInfinity += float.IsInfinity(x) ? 1 : 0;
        DifferenceInfinity += float.IsInfinity(y) ? 1 : 0;
        bool same = x == y || (xNaN && yNaN);
        Different += same ? 0 : 1;
        if (float.IsFinite(x) && float.IsFinite(y))
        {
            FiniteBoth++;
            double d = Math.Abs((double)x - y);
            double m = Math.Max(Math.Abs((double)x), Math.Abs((double)y));
            MaxAbs = Math.Max(MaxAbs, d);
            MaxRel = Math.Max(MaxRel, m > 0 ? d / m : 0);
            SumSquares += d * d;
        }
        else if (!same)
        {
            NonFiniteMismatch = true;
        }
    }

    /// <summary>Whole vectors of the spans; returns how many elements it took.</summary>
    private int AddVectors(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var limit = new Vector<float>(float.MaxValue);
        var infinity = new Vector<float>(float.PositiveInfinity);
        var zero = Vector<double>.Zero;
        var allSet = Vector<int>.AllBitsSet;
        var different = Vector<int>.Zero;
        var finiteBoth = Vector<int>.Zero;
        var aNaNs = Vector<int>.Zero;
        var bNaNs = Vector<int>.Zero;
        var aInfs = Vector<int>.Zero;
        var bInfs = Vector<int>.Zero;
        var mismatch = Vector<int>.Zero;
        var maxAbs = Vector<double>.Zero;
        var maxRel = Vector<double>.Zero;
        var sumSquares = Vector<double>.Zero;
        int end = a.Length - (a.Length % Vector<float>.Count);
        for (int i = 0; i < end; i += Vector<float>.Count)
        {
            var va = new Vector<float>(a[i..]);
            var vb = new Vector<float>(b[i..]);

            // Equal finite values, the whole vector: the common case of a conversion that is exact, and nothing to add
            // but the count.
            var equal = Vector.Equals(va, vb);
            if (Vector.EqualsAll(equal & Vector.LessThanOrEqual(Vector.Abs(va), limit), allSet))
            {
                finiteBoth -= allSet;
                continue;
            }

            var aNaN = ~Vector.Equals(va, va);
            var bNaN = ~Vector.Equals(vb, vb);
            var aAbs = Vector.Abs(va);
            var bAbs = Vector.Abs(vb);
            var same = equal | (aNaN & bNaN);
            var finite = Vector.LessThanOrEqual(aAbs, limit) & Vector.LessThanOrEqual(bAbs, limit);

            // A true lane is all ones (−1), so subtracting counts it.
            different -= ~same;
            finiteBoth -= finite;
            aNaNs -= aNaN;
            bNaNs -= bNaN;
            aInfs -= Vector.Equals(aAbs, infinity);
            bInfs -= Vector.Equals(bAbs, infinity);
            mismatch |= ~same & ~finite;

            Vector.Widen(va, out var a0, out var a1);
            Vector.Widen(vb, out var b0, out var b1);
            Vector.Widen(finite, out var f0, out var f1);
            var d0 = Vector.ConditionalSelect(f0, Vector.Abs(a0 - b0), zero);
            var d1 = Vector.ConditionalSelect(f1, Vector.Abs(a1 - b1), zero);
            var m0 = Vector.Max(Vector.Abs(a0), Vector.Abs(b0));
            var m1 = Vector.Max(Vector.Abs(a1), Vector.Abs(b1));
            maxAbs = Vector.Max(maxAbs, Vector.Max(d0, d1));
            sumSquares += (d0 * d0) + (d1 * d1);
            maxRel = Vector.Max(maxRel, Vector.ConditionalSelect(Vector.GreaterThan(m0, zero) & f0, d0 / m0, zero));
            maxRel = Vector.Max(maxRel, Vector.ConditionalSelect(Vector.GreaterThan(m1, zero) & f1, d1 / m1, zero));
        }

        Different += Vector.Sum(Widen(different));
        FiniteBoth += Vector.Sum(Widen(finiteBoth));
        ReferenceNaN += Vector.Sum(Widen(aNaNs));
        DifferenceNaN += Vector.Sum(Widen(bNaNs));
        ReferenceInfinity += Vector.Sum(Widen(aInfs));
        DifferenceInfinity += Vector.Sum(Widen(bInfs));
        NonFiniteMismatch |= mismatch != Vector<int>.Zero;
        for (int lane = 0; lane < Vector<double>.Count; lane++)
        {
            MaxAbs = Math.Max(MaxAbs, maxAbs[lane]);
            MaxRel = Math.Max(MaxRel, maxRel[lane]);
            SumSquares += sumSquares[lane];
        }

        return end;
    }

    private static Vector<long> Widen(Vector<int> lanes)
    {
        Vector.Widen(lanes, out var low, out var high);
        return low + high;
    }
}
