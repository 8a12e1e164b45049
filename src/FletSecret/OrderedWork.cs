using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace FletSecret;

/// <summary>The outcome of one pipeline item: an output or an error record, never both.</summary>
internal readonly struct ItemResult
{
    public ItemResult(object? output, System.Management.Automation.ErrorRecord? error)
    {
        Output = output;
        Error = error;
    }

    public object? Output { get; }
    public System.Management.Automation.ErrorRecord? Error { get; }
}

/// <summary>
/// Keeps a bounded window of items in flight and hands results back in input order, so the cmdlet can write them
/// from the pipeline thread as soon as the oldest item is done. Items are asynchronous: they wait for their key
/// derivation without holding a thread.
/// </summary>
internal sealed class OrderedWork
{
    private readonly Queue<Task<ItemResult>> _pending = new();
    private readonly int _window;

    public OrderedWork(int window) => _window = Math.Max(1, window);

    public int Count => _pending.Count;

    public void Start(Func<Task<ItemResult>> work) => _pending.Enqueue(work());

    /// <summary>Results that are ready now, in order; waits for the oldest only while the window is full.</summary>
    public IEnumerable<ItemResult> TakeReady()
    {
        while (_pending.Count > 0 && (_pending.Count >= _window || _pending.Peek().IsCompleted))
        {
            yield return _pending.Dequeue().GetAwaiter().GetResult();
        }
    }

    /// <summary>All remaining results, in order, waiting for each.</summary>
    public IEnumerable<ItemResult> TakeAll()
    {
        while (_pending.Count > 0)
        {
            yield return _pending.Dequeue().GetAwaiter().GetResult();
        }
    }

    /// <summary>Waits for running items without taking their results (used on stop, before keys are zeroed).</summary>
    public void WaitQuietly()
    {
        foreach (Task<ItemResult> task in _pending)
        {
            try { task.Wait(); } catch (AggregateException) { }
        }
        _pending.Clear();
    }
}
