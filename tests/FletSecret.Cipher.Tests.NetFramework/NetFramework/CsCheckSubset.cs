using System;
using System.Collections.Generic;
using System.Linq;

// CsCheck 5 ships only net10.0+ builds, so the .NET Framework test host compiles this instead: the part of CsCheck's
// API that the cipher tests use, with the same meaning (inclusive ranges, 100 samples unless `iter` says otherwise).
// It draws random samples from one seed, printed when a sample fails; unlike CsCheck it does not shrink the failing
// case. The full CsCheck runs the same tests in the two .NET test projects.
namespace CsCheck;

/// <summary>A generator of random values of <typeparamref name="T"/>.</summary>
public sealed class Gen<T>
{
    private readonly Func<Random, T> _generate;

    internal Gen(Func<Random, T> generate) => _generate = generate;

    internal T Generate(Random random) => _generate(random);

    public Gen<TResult> Select<TResult>(Func<T, TResult> selector) => new(random => selector(_generate(random)));

    /// <summary>Arrays of these values: <c>Array[min, max]</c>, lengths inclusive.</summary>
    public ArrayRange Array => new(this);

    public readonly struct ArrayRange
    {
        private readonly Gen<T> _element;

        internal ArrayRange(Gen<T> element) => _element = element;

        public Gen<T[]> this[int minLength, int maxLength]
        {
            get
            {
                Gen<T> element = _element;
                return new Gen<T[]>(random =>
                {
                    var array = new T[random.Next(minLength, maxLength + 1)];
                    for (int i = 0; i < array.Length; i++) array[i] = element.Generate(random);
                    return array;
                });
            }
        }
    }
}

public static class Gen
{
    public static readonly CharRange Char = default;
    public static readonly IntRange Int = default;

    public readonly struct CharRange
    {
        public Gen<char> this[char start, char finish] => new(random => (char)random.Next(start, finish + 1));
    }

    public readonly struct IntRange
    {
        public Gen<int> this[int start, int finish] =>
            new(random => (int)(start + (long)(random.NextDouble() * ((long)finish - start + 1))));
    }

    public static Gen<T> Const<T>(T value) => new(_ => value);

    public static Gen<T> OneOf<T>(params T[] values) => new(random => values[random.Next(values.Length)]);

    public static Gen<T> Frequency<T>(params (int Weight, Gen<T> Gen)[] choices)
    {
        int total = choices.Sum(c => c.Weight);
        return new Gen<T>(random =>
        {
            int pick = random.Next(total);
            foreach (var (weight, gen) in choices)
            {
                if (pick < weight) return gen.Generate(random);
                pick -= weight;
            }
            throw new InvalidOperationException("unreachable: the weights sum to " + total);
        });
    }

    public static Gen<(T1, T2, T3)> Select<T1, T2, T3>(Gen<T1> first, Gen<T2> second, Gen<T3> third) =>
        new(random => (first.Generate(random), second.Generate(random), third.Generate(random)));
}

public static class Check
{
    /// <summary>Runs <paramref name="assert"/> on <paramref name="iter"/> samples; a failure names the seed.</summary>
    public static void Sample<T>(this Gen<T> gen, Action<T> assert, long iter = 100)
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        for (long i = 0; i < iter; i++)
        {
            T value = gen.Generate(random);
            try
            {
                assert(value);
            }
            catch (Exception e)
            {
                // The sample itself is not printed: it may be a test secret. The seed reproduces it.
                throw new SampleFailedException($"sample {i + 1} of {iter} failed (CsCheckSubset seed {seed}): {e.Message}", e);
            }
        }
    }

    public static void Sample<T1, T2, T3>(this Gen<(T1, T2, T3)> gen, Action<T1, T2, T3> assert, long iter = 100) =>
        gen.Sample(t => assert(t.Item1, t.Item2, t.Item3), iter);
}

public sealed class SampleFailedException : Exception
{
    public SampleFailedException(string message, Exception inner) : base(message, inner) { }
}
