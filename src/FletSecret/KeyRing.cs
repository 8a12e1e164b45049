using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FletSecret.Cipher;

namespace FletSecret;

/// <summary>
/// The keys that read tokens (Unprotect-FletString's, Update-FletString's old ones): each token is opened by the first
/// passphrase that authenticates it, in the order given, each at the iteration counts in order, with one derivation
/// per passphrase, salt and count while it is held (see <see cref="KeyCache"/>). Counts the tokens each key opened.
/// </summary>
internal sealed class KeyRing
{
    /// <summary>Unused keys kept for later tokens of the same salt; more are zeroed as they are dropped.</summary>
    private const int IdleKeys = 16;

    private readonly FletPassphrase[] _passphrases;
    private readonly int[] _iterations;
    private readonly int[] _positions;
    private readonly FletKeyDeriver _deriver;
    private readonly KeyCache _keys = new(IdleKeys);
    private readonly int[] _openedBy;

    /// <param name="positions">Each passphrase's position as the caller gave it (1-based), for what is said of it.</param>
    public KeyRing(FletPassphrase[] passphrases, int[] positions, int[] iterations, FletKeyDeriver deriver)
    {
        _passphrases = passphrases;
        _positions = positions;
        _iterations = iterations;
        _deriver = deriver;
        _openedBy = new int[passphrases.Length];
    }

    /// <summary>How many keys are tried on a token that none opens.</summary>
    public int Count => _passphrases.Length;

    /// <summary>
    /// Hands <paramref name="open"/> each key in turn until one authenticates the token; throws the last
    /// AuthenticationFailed when none does (any other error at once).
    /// </summary>
    public async Task<T> OpenAsync<T>(ParsedToken token, Func<FletKey, Task<T>> open)
    {
        FletTokenException? refused = null;
        for (int k = 0; k < _passphrases.Length; k++)
        {
            foreach (int iterations in _iterations)
            {
                KeyCache.Entry entry = KeyFor(token, k, iterations);
                try
                {
                    FletKey key = await entry.Key.ConfigureAwait(false);
                    T opened = await open(key).ConfigureAwait(false);
                    Interlocked.Increment(ref _openedBy[k]);
                    return opened;
                }
                catch (FletTokenException e) when (e.Error == FletTokenError.AuthenticationFailed)
                {
                    refused = e; // the next iteration count, or the next key, may fit
                }
                finally
                {
                    _keys.Release(entry);
                }
            }
        }
        throw refused!;
    }

    private KeyCache.Entry KeyFor(ParsedToken token, int keyIndex, int iterations)
    {
        string id = Convert.ToBase64String(token.Buffer, 0, Fernet.SaltSize) + ":" + keyIndex + ":" + iterations;
        FletPassphrase passphrase = _passphrases[keyIndex];
        return _keys.Acquire(id, () => _deriver.DeriveAsync(passphrase, token.CopySalt(), iterations));
    }

    /// <summary>How many keys were derived, and the most held at one time.</summary>
    public (int Derived, int MostHeld) Held => (_keys.Derived, _keys.MostHeld);

    /// <summary>With several keys, " Tokens opened by key: 1: 2, 2: 3." (by the positions the caller gave); else empty.</summary>
    public string DescribeOpened(string keyName) =>
        _passphrases.Length > 1
            ? $" Tokens opened by {keyName}: " + string.Join(", ", Enumerable.Range(0, _passphrases.Length).Select(k => $"{_positions[k]}: {Volatile.Read(ref _openedBy[k])}")) + "."
            : string.Empty;

    /// <summary>Zeroes the keys still held.</summary>
    public void Clear() => _keys.Clear();
}
