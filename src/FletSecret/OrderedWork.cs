using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading.Tasks;

namespace FletSecret;

/// <summary>The outcome of one pipeline item: an output or an error record, never both.</summary>
internal readonly struct ItemResult
{
    public ItemResult(object? output, ErrorRecord? error)
    {
        Output = output;
        Error = error;
    }

    public object? Output { get; }
    public ErrorRecord? Error { get; }
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
            yield return Result(_pending.Dequeue());
        }
    }

    /// <summary>All remaining results, in order, waiting for each.</summary>
    public IEnumerable<ItemResult> TakeAll()
    {
        while (_pending.Count > 0)
        {
            yield return Result(_pending.Dequeue());
        }
    }

    /// <summary>
    /// The item's result. Items turn every expected failure into an error record themselves; anything else (a bug,
    /// memory) still becomes an error of that item, so the pipeline goes on and nothing surfaces as NotSpecified.
    /// </summary>
    private static ItemResult Result(Task<ItemResult> task)
    {
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var error = new ErrorRecord(e, "FletSecret.UnexpectedError", ErrorCategory.InvalidOperation, null)
            {
                ErrorDetails = new ErrorDetails($"The item failed unexpectedly ({e.GetType().Name}). Please report it; see SECURITY.md for how.")
                {
                    RecommendedAction = "Report it (see SECURITY.md), with the module version and the command, never the key or the data; try the item again.",
                },
            };
            return new ItemResult(null, error);
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
