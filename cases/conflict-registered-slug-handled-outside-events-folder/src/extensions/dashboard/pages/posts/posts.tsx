export default function Posts() {
  return null;
}
