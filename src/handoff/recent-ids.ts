/** The most recent `capacity` ids, oldest forgotten first */
export class RecentIds {
  private readonly ids = new Set<string>()

  constructor (private readonly capacity: number) {}

  has (id: string): boolean {
    return this.ids.has(id)
  }

  add (id: string): void {
    this.ids.delete(id)
    this.ids.add(id)
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value
      if (oldest != null) this.ids.delete(oldest)
    }
  }
}
