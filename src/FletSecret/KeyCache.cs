using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using FletSecret.Cipher;

namespace FletSecret;

/// <summary>
/// Derived keys by salt and iteration count, shared by the items that need the same one. A key stays while an item
/// uses it; of the keys no item uses, only a few are kept (a later token may share the salt, as -ReuseSalt tokens
/// do): a key used once is dropped before one used more often, the least recently used first, and each key is zeroed
/// as it is dropped. Flet gives every token its own salt, so
/// keeping every key until the end would keep thousands alive for nothing.
/// </summary>
internal sealed class KeyCache
{
    private readonly Dictionary<string, Entry> _entries = new();
    private readonly LinkedList<Entry> _idle = new(); // least recently used first
    private readonly int _idleLimit;
    private readonly object _gate = new();
    private int _derived;
    private int _mostHeld;

    public KeyCache(int idleLimit) => _idleLimit = idleLimit;

    /// <summary>How many keys were derived.</summary>
    public int Derived => Volatile.Read(ref _derived);

    /// <summary>The most keys held at one time.</summary>
    public int MostHeld => Volatile.Read(ref _mostHeld);

    /// <summary>The entry of <paramref name="id"/>, deriving its key if none is held; give it back with <see cref="Release"/>.</summary>
    public Entry Acquire(string id, Func<Task<FletKey>> derive)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(id, out Entry? entry))
            {
                if (entry.IdleNode is not null)
                {
                    _idle.Remove(entry.IdleNode);
                    entry.IdleNode = null;
                }
            }
            else
            {
                entry = new Entry(id, derive());
                _entries.Add(id, entry);
                _derived++;
                if (_entries.Count > _mostHeld) _mostHeld = _entries.Count;
            }
            entry.Users++;
            entry.Uses++;
            return entry;
        }
    }

    /// <summary>Ends one item's use of the key; drops (and zeroes) the least recently used unused key beyond the limit.</summary>
    public void Release(Entry entry)
    {
        Entry? dropped = null;
        lock (_gate)
        {
            if (--entry.Users > 0) return;
            entry.IdleNode = _idle.AddLast(entry);
            if (_idle.Count > _idleLimit)
            {
                LinkedListNode<Entry> node = _idle.First!;
                for (LinkedListNode<Entry>? n = node; n is not null; n = n.Next)
                {
                    if (n.Value.Uses == 1)
                    {
                        node = n;
                        break;
                    }
                }
                dropped = node.Value;
                _idle.Remove(node);
                dropped.IdleNode = null;
                _entries.Remove(dropped.Id);
            }
        }
        if (dropped is not null) ZeroWhenDerived(dropped.Key);
    }

    /// <summary>Zeroes every key held (each once its derivation ends, if it is still running).</summary>
    public void Clear()
    {
        List<Entry> entries;
        lock (_gate)
        {
            entries = new List<Entry>(_entries.Values);
            _entries.Clear();
            _idle.Clear();
        }
        foreach (Entry entry in entries) ZeroWhenDerived(entry.Key);
    }

    private static void ZeroWhenDerived(Task<FletKey> key) =>
        key.ContinueWith(static task =>
        {
            if (task.Status == TaskStatus.RanToCompletion) task.Result.Dispose();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>One salt and iteration count's key and how many items use it now.</summary>
    internal sealed class Entry
    {
        public Entry(string id, Task<FletKey> key)
        {
            Id = id;
            Key = key;
        }

        public string Id { get; }
        public Task<FletKey> Key { get; }
        public int Users { get; set; }
        public int Uses { get; set; }
        public LinkedListNode<Entry>? IdleNode { get; set; }
    }
}
