using System.Collections.ObjectModel;
using System.Runtime.CompilerServices;

namespace VmSnapshot;

/// <summary>
/// A read-only list of an output object's values (volumes, networks, indications, health checks, change steps). Scripts
/// use it as they used the arrays it replaces (index, Count, Length, foreach, -contains), ConvertTo-Json writes it as
/// an array, and its <see cref="ToString"/> joins the items with ", " so that Export-Csv and "$(...)" show the values
/// instead of "System.String[]".
/// </summary>
[CollectionBuilder(typeof(ValueList), nameof(ValueList.Create))]
public sealed class ValueList<T> : ReadOnlyCollection<T>
{
    /// <summary>An empty list.</summary>
    public static new ValueList<T> Empty { get; } = new(Array.Empty<T>());

    /// <summary>Wraps <paramref name="items"/> (the list does not copy them: pass an array nobody changes).</summary>
    public ValueList(IList<T> items)
        : base(items)
    {
    }

    /// <summary>The number of items, under the name the arrays this list replaces had.</summary>
    public int Length => Count;

    /// <summary>Wraps an array, so mappers and tests assign arrays as before.</summary>
    public static implicit operator ValueList<T>(T[] items) => new(items);

    /// <summary>The items' own text, joined with ", ".</summary>
    public override string ToString() => string.Join(", ", this.Where(item => item is not null));
}

/// <summary>Builds <see cref="ValueList{T}"/> from collection expressions (<c>[.. checks, own]</c>).</summary>
public static class ValueList
{
    /// <summary>A list of a copy of <paramref name="items"/>.</summary>
    public static ValueList<T> Create<T>(ReadOnlySpan<T> items) => new(items.ToArray());
}
