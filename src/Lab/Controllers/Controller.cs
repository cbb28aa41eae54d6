using VmSnapshot.Lab.Store;

namespace VmSnapshot.Lab.Controllers;

/// <summary>A resource type a controller watches and how one of its events maps to the keys to reconcile.</summary>
internal sealed record ControllerWatch(string Resource, Func<WatchEvent, IEnumerable<ObjectKey>> Keys);

/// <summary>namespace/name of the object a controller reconciles (namespace null for cluster-scoped objects).</summary>
internal readonly record struct ObjectKey(string? Namespace, string Name)
{
    public static ObjectKey Of(StoredObject o) => new(o.Namespace, o.Name);
    public override string ToString() => Namespace == null ? Name : $"{Namespace}/{Name}";
}

/// <summary>
/// One reconcile loop, as in a kube controller: watch events become keys in the host's work queue, and
/// <see cref="Reconcile"/> looks at the current state of that key and moves it one step closer to the desired
/// state, writing through the store. It may ask to be called again later (a lab-clock delay).
/// </summary>
internal abstract class Controller(ControllerHost host)
{
    protected ControllerHost Host { get; } = host;
    protected LabStore Store => Host.Store;
    protected DateTime LabNow => Host.Clock.Now;

    public abstract string Name { get; }
    public abstract IEnumerable<ControllerWatch> Watches();
    public abstract void Reconcile(ObjectKey key);

    /// <summary>Adds the store indexes this controller's watch mappers look up (called once, before the watches start).</summary>
    public virtual void AddIndexes()
    {
    }

    /// <summary>The keys of the objects of <paramref name="resource"/> in <paramref name="ns"/> whose index value matches.</summary>
    protected IEnumerable<ObjectKey> Lookup(string resource, string index, string? ns, string? value) =>
        value is null ? [] : Store.Lookup(resource, index, ns, value).Select(name => new ObjectKey(ns, name));

    protected void Requeue(ObjectKey key, TimeSpan labDelay) => Host.EnqueueAfter(this, key, labDelay);

    /// <summary>Maps every event of a type to the object's own key.</summary>
    protected static ControllerWatch Own(string resource) => new(resource, e => [ObjectKey.Of(e.Object!)]);
}
