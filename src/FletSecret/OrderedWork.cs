using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
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
/// derivation without holding a thread. Every wait ends when the stop token is cancelled (Ctrl+C).
/// </summary>
internal sealed class OrderedWork
{
    private readonly Queue<Task<ItemResult>> _pending = new();
    private readonly int _window;
    private readonly CancellationToken _stop;

    public OrderedWork(int window, CancellationToken stop)
    {
        _window = Math.Max(1, window);
        _stop = stop;
    }

    public int Count => _pending.Count;

    public void Start(Func<Task<ItemResult>> work) => _pending.Enqueue(work());

    /// <summary>
    /// Results in order: those ready now, waiting for the oldest only while the window is full; or, with
    /// <paramref name="all"/>, every one, waiting for each. Throws <see cref="PipelineStoppedException"/> on stop.
    /// </summary>
    public IEnumerable<ItemResult> Take(bool all)
    {
        while (_pending.Count > 0 && (all || _pending.Count >= _window || _pending.Peek().IsCompleted))
        {
            // Dequeued only once done: on a stop the item stays pending, so the cleanup knows to wait for it.
            Task<ItemResult> oldest = _pending.Peek();
            WaitFor(oldest);
            _pending.Dequeue();
            yield return Result(oldest);
        }
    }

    private void WaitFor(Task task)
    {
        if (task.IsCompleted) return;
        try
        {
            task.Wait(_stop);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (AggregateException)
        {
            // The task failed: Result turns that into the item's error.
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

    /// <summary>Completes when every item not taken has ended, however it ended (used on stop, before keys are zeroed).</summary>
    public Task Ended()
    {
        if (_pending.Count == 0) return Task.CompletedTask;
        Task[] tasks = _pending.ToArray<Task>();
        _pending.Clear();
        return Task.WhenAll(tasks).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
